"""Uploaded documents open in the browser (inline, with their content type), for those who may see them only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ApplicationFactory, UserFactory, held_for_authority_check, image_bytes, pdf_file
from tremplin.vouchers import services
from tremplin.vouchers.models import MessageAttachment

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG")


@pytest.fixture
def claimed(approved):
    services.submit_claim(approved.owner, approved, pdf_file("facture.pdf"), pdf_file("releve.pdf"), 50000)
    approved.refresh_from_db()
    return approved


def document_urls(app):
    urls = [
        reverse("vouchers:document", args=[app.pk, kind])
        for kind in ("devis", "rib", "facture", "justificatif")
    ]
    urls += [
        reverse("vouchers:attachment", args=[app.pk, a.message_id, a.pk])
        for a in MessageAttachment.objects.all()
    ]
    return urls


@pytest.fixture
def with_attachments(claimed, advisor):
    claimed = services.start_claim_review(advisor, claimed)
    claimed = services.post_message(advisor, claimed, "Le relevé est illisible.")
    claimed = services.post_message(
        claimed.owner,
        claimed,
        "Voici le relevé et une photo.",
        [pdf_file("releve-2.pdf"), SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    )
    return claimed


def test_every_uploaded_document_opens_inline_for_the_owner_the_advisor_and_the_auditor(
    client_for, with_attachments, advisor, auditor
):
    urls = document_urls(with_attachments)
    assert len(urls) == 6
    for user in (with_attachments.owner, advisor, auditor):
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Disposition"].startswith("inline; filename="), url
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Type"] in ("application/pdf", "image/png")
            b"".join(response.streaming_content)


def test_an_attachment_keeps_its_name_and_its_type(client_for, with_attachments):
    photo = MessageAttachment.objects.get(original_name="photo.png")
    url = reverse("vouchers:attachment", args=[with_attachments.pk, photo.message_id, photo.pk])
    response = client_for(with_attachments.owner).get(url)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert b"".join(response.streaming_content) == PNG


def test_every_document_stays_refused_to_another_owner_and_another_territory(
    client_for, with_attachments, other_owner, other_advisor
):
    for user in (other_owner, other_advisor):
        client = client_for(user)
        for url in document_urls(with_attachments):
            assert client.get(url).status_code in (403, 404), url


def test_an_attachment_of_another_file_is_not_found_through_this_one(client_for, with_attachments):
    other_file = ApplicationFactory(owner=with_attachments.owner)
    attachment = MessageAttachment.objects.first()
    url = reverse("vouchers:attachment", args=[other_file.pk, attachment.message_id, attachment.pk])
    assert client_for(with_attachments.owner).get(url).status_code == 404


def test_the_decision_letter_is_still_downloaded(client_for, approved):
    response = client_for(approved.owner).get(reverse("vouchers:letter", args=[approved.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_the_register_extract_and_the_statement_open_inline_for_the_territory_only(
    client_for, scheme, company, advisor, other_advisor, other_owner
):
    held = held_for_authority_check(scheme, UserFactory(), company)
    urls = [reverse("vouchers:document", args=[held.pk, kind]) for kind in ("extrait", "attestation")]
    for user in (held.owner, advisor):
        for url in urls:
            response = client_for(user).get(url)
            assert response.status_code == 200, url
            assert response["Content-Disposition"].startswith("inline; filename=")
            assert response["Content-Type"] == "application/pdf"
            b"".join(response.streaming_content)
    for user in (other_owner, other_advisor):
        for url in urls:
            assert client_for(user).get(url).status_code in (403, 404), url
