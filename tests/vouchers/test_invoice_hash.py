"""The claim keeps the SHA-256 of the invoice as received: the fraud flags compare it across claims."""

import hashlib

import pytest

from tests.factories import pdf_file, stored_bytes
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db


def test_the_claim_stores_the_hash_of_the_invoice_it_received(approved):
    claim = services.submit_claim(
        approved.owner, approved, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), 400_000
    )
    assert claim.invoice_sha256 == hashlib.sha256(stored_bytes(claim.invoice)).hexdigest()


def blank_hash_claim(approved):
    """A claim as sent before its invoice's hash was taken (migration 0009 added it blank)."""
    from tremplin.vouchers.models import Claim

    claim = services.submit_claim(
        approved.owner, approved, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), 400_000
    )
    Claim.objects.filter(pk=claim.pk).update(invoice_sha256="")
    return claim


@pytest.mark.django_db(transaction=True)
def test_migration_0010_fills_the_hash_of_the_claims_sent_before_it_was_taken(approved):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    claim = blank_hash_claim(approved)
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate([("vouchers", "0009_claim_invoice_sha256")])
        MigrationExecutor(connection).migrate([("vouchers", "0010_backfill_invoice_sha256")])
        claim.refresh_from_db()
        assert claim.invoice_sha256 == hashlib.sha256(stored_bytes(claim.invoice)).hexdigest()
    finally:
        MigrationExecutor(connection).migrate(leaf)


def test_a_claim_whose_invoice_is_gone_from_storage_keeps_a_blank_hash(approved):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("tremplin.vouchers.migrations.0010_backfill_invoice_sha256").backfill
    claim = blank_hash_claim(approved)
    claim.invoice.storage.delete(claim.invoice.name)
    backfill(apps, None)
    claim.refresh_from_db()
    assert claim.invoice_sha256 == ""
