from django.db import migrations, models

# A claim is approved once its file has reached one of these states.
APPROVED_STATES = ("claim_approved", "paid", "clawed_back")


def backfill(apps, schema_editor):
    """The claims approved before the field existed: the time of their "approve_claim" audit event, else
    the file's last change."""
    Claim = apps.get_model("vouchers", "Claim")
    AuditEvent = apps.get_model("core", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="vouchers", model="application").first()
    approvals = {}
    if content_type is not None:
        events = AuditEvent.objects.filter(content_type=content_type, action="approve_claim").order_by("at")
        approvals = dict(events.values_list("object_id", "at"))
    claims = Claim.objects.filter(application__state__in=APPROVED_STATES, approved_at__isnull=True)
    for claim in claims.select_related("application").iterator():
        claim.approved_at = approvals.get(str(claim.application_id), claim.application.updated_at)
        claim.save(update_fields=["approved_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("vouchers", "0007_remove_message_attachment"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="validée le"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
