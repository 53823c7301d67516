import os

import django.db.models.deletion
from django.db import migrations, models


def copy_attachments(apps, schema_editor):
    """Each message's single attachment (a PDF, the only type it took) becomes a MessageAttachment."""
    Message = apps.get_model("vouchers", "Message")
    MessageAttachment = apps.get_model("vouchers", "MessageAttachment")
    for message in Message.objects.exclude(attachment="").iterator():
        stored = message.attachment
        try:
            size = stored.storage.size(stored.name)
        except OSError:
            size = 0
        MessageAttachment.objects.create(
            message=message,
            file=stored.name,
            original_name=os.path.basename(stored.name),
            content_type="application/pdf",
            size=size,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0005_provider_limit_choices_to_accredited_today"),
    ]

    operations = [
        migrations.CreateModel(
            name="MessageAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(upload_to="messages/%Y/%m/")),
                ("original_name", models.CharField(max_length=255, verbose_name="nom du fichier")),
                ("content_type", models.CharField(max_length=100, verbose_name="type")),
                ("size", models.PositiveBigIntegerField(verbose_name="taille (octets)")),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="vouchers.message",
                    ),
                ),
            ],
            options={
                "verbose_name": "pièce jointe",
                "verbose_name_plural": "pièces jointes",
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(copy_attachments, migrations.RunPython.noop),
    ]
