"""Migration 0006 moves each message's single attachment into a MessageAttachment row."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("vouchers", "0005_provider_limit_choices_to_accredited_today")]
AFTER = [("vouchers", "0006_messageattachment")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_each_existing_attachment_becomes_a_message_attachment(owner, draft):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = migrate(BEFORE)
        Message = apps.get_model("vouchers", "Message")
        # A file stored before random names, under the client's name.
        legacy = FileSystemStorage(location=default_storage.location)
        name = legacy.save("messages/2026/05/devis-signe.pdf", ContentFile(b"%PDF-1.4 signed"))
        with_file = Message.objects.create(
            application_id=draft.pk, author_id=owner.pk, body="Le voici", attachment=name
        )
        Message.objects.create(application_id=draft.pk, author_id=owner.pk, body="Sans pièce", attachment="")
        apps = migrate(AFTER)
        MessageAttachment = apps.get_model("vouchers", "MessageAttachment")
        (copied,) = MessageAttachment.objects.all()
        assert copied.message_id == with_file.pk
        assert copied.file.name == name
        assert copied.original_name == "devis-signe.pdf"
        assert copied.content_type == "application/pdf"
        assert copied.size == len(b"%PDF-1.4 signed")
    finally:
        migrate(leaf)
