from django.db import migrations, models


def backfill(apps, schema_editor):
    """The first "taken care" of each match, read from its audit trail (the workflow's `take_care`, or the
    older `change_state` to `taking_care`)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("core", "AuditEvent")
    Match = apps.get_model("network", "Match")
    content_type = ContentType.objects.filter(app_label="network", model="match").first()
    if content_type is None:
        return
    events = (
        AuditEvent.objects.filter(content_type=content_type, to_state="taking_care")
        .filter(models.Q(action="take_care") | models.Q(action="change_state"))
        .order_by("at", "id")
        .values_list("object_id", "at")
    )
    first = {}
    for object_id, at in events.iterator():
        first.setdefault(object_id, at)
    for object_id, at in first.items():
        if object_id.isdigit():
            Match.objects.filter(pk=int(object_id), taken_care_at__isnull=True).update(taken_care_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("network", "0003_request_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="match",
            name="taken_care_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="prise en charge le"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
