"""Uploads are stored under a random name with the extension of their real type, never the client's."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.factories import jpeg_file, pdf_bytes, pdf_file, png_file
from tremplin.vouchers import services
from tremplin.vouchers.models import Claim, MessageAttachment

pytestmark = pytest.mark.django_db

RANDOM = r"[0-9a-f]{32}"


def test_claim_documents_get_a_random_name_ending_in_pdf(approved):
    services.submit_claim(
        approved.owner, approved, pdf_file("facture.html"), pdf_file("../../releve.PDF.exe"), 50000
    )
    claim = Claim.objects.get(application=approved)
    assert re.fullmatch(rf"invoices/\d{{4}}/\d{{2}}/{RANDOM}\.pdf", claim.invoice.name)
    assert re.fullmatch(rf"proofs/\d{{4}}/\d{{2}}/{RANDOM}\.pdf", claim.proof_of_payment.name)


def test_two_uploads_of_the_same_name_get_different_names(draft):
    assert re.fullmatch(rf"bank/\d{{4}}/\d{{2}}/{RANDOM}\.pdf", draft.bank_document.name)
    other = services.update_draft(draft.owner, draft, bank_document=pdf_file("rib.pdf"))
    assert other.bank_document.name != draft.bank_document.name


def test_attachments_keep_their_name_for_people_and_get_a_random_one_on_disk(under_review, advisor):
    services.post_message(advisor, under_review, "Envoyez une photo de la vitrine.")
    services.post_message(
        under_review.owner, under_review, "Les voici.", [png_file("vitrine.pdf.png"), jpeg_file("photo.JPEG")]
    )
    png, jpeg = MessageAttachment.objects.order_by("id")
    assert (png.original_name, png.content_type) == ("vitrine.pdf.png", "image/png")
    assert re.fullmatch(rf"messages/\d{{4}}/\d{{2}}/{RANDOM}\.png", png.file.name)
    assert (jpeg.original_name, jpeg.content_type) == ("photo.JPEG", "image/jpeg")
    assert re.fullmatch(rf"messages/\d{{4}}/\d{{2}}/{RANDOM}\.jpg", jpeg.file.name)


def test_a_file_stored_before_random_names_still_opens(client_for, draft):
    legacy, body = "bank/2025/01/rib.pdf", pdf_bytes()
    path = Path(default_storage.path(legacy))
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    type(draft).objects.filter(pk=draft.pk).update(bank_document=legacy)
    response = client_for(draft.owner).get(reverse("vouchers:document", args=[draft.pk, "rib"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == body
