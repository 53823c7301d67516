from django.conf import settings
from django.db import migrations, models


def withdraw_duplicate_drafts(apps, schema_editor):
    """Before the constraint: of a person's drafts for one company and scheme, keep the last saved and
    withdraw the others (a double click made them), with their audit event."""
    Application = apps.get_model("vouchers", "Application")
    AuditEvent = apps.get_model("core", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    seen = set()
    duplicates = []
    for app in Application.objects.filter(state="draft").order_by("-updated_at", "-id"):
        key = (app.owner_id, app.company_id, app.scheme_id)
        if key in seen:
            duplicates.append(app)
        seen.add(key)
    if not duplicates:
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="vouchers", model="application")
    for app in duplicates:
        Application.objects.filter(pk=app.pk).update(state="withdrawn")
        AuditEvent.objects.create(
            actor=None,
            content_type=content_type,
            object_id=str(app.pk),
            action="withdraw",
            from_state="draft",
            to_state="withdrawn",
            reason="Brouillon en double",
            data={},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("providers", "0004_provider_accredited_derived_from_status"),
        ("registry", "0001_initial"),
        ("schemes", "0004_alter_eligibilityrule_kind"),
        ("vouchers", "0003_authority_and_payee"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(withdraw_duplicate_drafts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "draft")),
                fields=("owner", "company", "scheme"),
                name="one_draft_per_owner_company_scheme",
            ),
        ),
    ]
