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
