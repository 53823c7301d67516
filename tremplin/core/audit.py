from tremplin.core.models import AuditEvent


def record(obj, *, actor, action, from_state="", to_state="", reason="", **data):
    """Write one audit event; call inside the transaction of the change it traces."""
    from django.contrib.contenttypes.models import ContentType

    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data,
    )
