from tremplin.core.models import AuditEvent

# The actions each model's workflow declares, for the models whose workflow names every one.
_DECLARED = {}


def declare(model, actions):
    """Only these actions may be audited on `model` (its workflow gives each a sentence)."""
    _DECLARED[model] = frozenset(actions)


def record(obj, *, actor, action, from_state="", to_state="", reason="", **data):
    """Write one audit event; call inside the transaction of the change it traces."""
    from django.contrib.contenttypes.models import ContentType

    declared = _DECLARED.get(type(obj))
    if declared is not None and action not in declared:
        raise ValueError(f"{action}: not an action the workflow of {type(obj).__name__} declares.")

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
