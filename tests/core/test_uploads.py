"""Uploads are checked by opening them, stored under a random name of their real type, served only by
the access-checked document views (never by a /media/ URL, even under DEBUG)."""

import importlib

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import clear_url_caches

from tests.factories import image_bytes, jpeg_file, pdf_bytes, pdf_file, png_file
from tremplin.core.errors import ServiceError
from tremplin.core.validators import clean_attachments, clean_pdf

SCRIPT = b"<html><script>fetch('/compte/').then(r => r.text()).then(alert)</script></html>"


def refused(check, upload):
    """The check's refusal of `upload` (a file, or a list of one for attachments), naming the file."""
    with pytest.raises(ServiceError) as error:
        check(upload)
    name = (upload[0] if isinstance(upload, list) else upload).name
    assert f"« {name} »" in error.value.message
    return error.value


def test_a_real_pdf_png_and_jpeg_pass():
    assert clean_pdf(pdf_file("devis.pdf")).name == "devis.pdf"
    checked = clean_attachments([pdf_file("devis.pdf"), png_file("vitrine.png"), jpeg_file("photo.jpg")])
    assert [kind for _, kind in checked] == ["application/pdf", "image/png", "image/jpeg"]


def test_html_behind_a_pdf_header_is_refused_whatever_its_name():
    error = refused(clean_pdf, pdf_file("evil.html", b"%PDF-1.4\n" + SCRIPT))
    assert error.code == "unsafe_file"
    assert refused(clean_pdf, pdf_file("evil.pdf", b"%PDF-1.4\n%%EOF\n")).code == "unreadable_pdf"


def test_a_pdf_header_after_html_is_refused():
    assert refused(clean_pdf, pdf_file("devis.pdf", SCRIPT + pdf_bytes())).code == "not_a_pdf"
    assert refused(clean_pdf, pdf_file("devis.pdf", b"\n" * 10 + pdf_bytes())).code == "not_a_pdf"


@pytest.mark.parametrize(
    "marker",
    [SCRIPT, b"<!DOCTYPE html>", b"<svg onload=alert(1)>", b"<a href='JavaScript:alert(1)'>", b"<HTML>"],
)
def test_html_after_the_end_of_a_real_pdf_is_refused(marker):
    error = refused(clean_pdf, pdf_file("devis.pdf", pdf_bytes() + b"\n" + marker))
    assert error.code == "unsafe_file"
    assert "HTML" in error.message


def test_html_inside_the_first_64_kib_of_a_real_pdf_is_refused():
    body = pdf_bytes()
    body = body[:20] + b"%" + SCRIPT + b"\n" + body[20:]
    assert refused(clean_pdf, pdf_file("devis.pdf", body)).code in ("unsafe_file", "not_a_pdf")


def test_a_truncated_pdf_that_does_not_open_is_refused():
    error = refused(clean_pdf, pdf_file("devis.pdf", pdf_bytes()[:60]))
    assert error.code == "unreadable_pdf"
    assert "ne peut pas être ouvert comme un PDF" in error.message


def test_a_pdf_without_pages_is_refused():
    from io import BytesIO

    from pypdf import PdfWriter

    out = BytesIO()
    PdfWriter().write(out)
    assert refused(clean_pdf, pdf_file("vide.pdf", out.getvalue())).code == "unreadable_pdf"


def test_a_png_named_pdf_is_not_a_pdf():
    assert refused(clean_pdf, png_file("devis.pdf")).code == "not_a_pdf"


def test_images_must_open_and_hold_no_html():
    fake_png = png_file("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    assert refused(clean_attachments, [fake_png]).code == "unreadable_image"
    html_jpeg = jpeg_file("photo.jpg", image_bytes("JPEG") + SCRIPT)
    assert refused(clean_attachments, [html_jpeg]).code == "unsafe_file"
    html_pdf = pdf_file("devis.pdf", b"%PDF-1.4\n" + SCRIPT)
    assert refused(clean_attachments, [html_pdf]).code == "unsafe_file"


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_the_size_cap_is_the_setting():
    error = refused(clean_pdf, pdf_file("gros.pdf", pdf_bytes() + b"%" * 1024))
    assert error.code == "file_too_large"
    assert "dépasse" in error.message


# --- never by /media/ ------------------------------------------------------------------------------


@pytest.fixture
def debug_urls():
    """The URLconf as it is built with DEBUG on (then rebuilt as it was)."""
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_no_upload_is_served_by_a_media_url_even_under_debug(debug_urls, client_for, draft, manager):
    name = draft.bank_document.name
    assert default_storage.exists(name)
    for user in (draft.owner, manager):
        assert client_for(user).get(f"/media/{name}").status_code == 404


# --- a stored file's address -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_file_field_of_a_model_with_uploads_says_where_the_platform_serves_it():
    """A model with a FileField gives `document_url(field)`: the stored file's address (`.url`, the
    admin's links) leads there. A new model with uploads fails here until it says where."""
    from django.apps import apps
    from django.db import models

    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label not in ("dsfr",)
        for field in model._meta.fields
        if isinstance(field, models.FileField) and not hasattr(model, "document_url")
    ]
    assert missing == []


@pytest.mark.django_db
def test_a_stored_files_address_leads_to_its_access_checked_page(client_for, draft, other_owner):
    from django.urls import reverse

    address = draft.bank_document.url
    assert not address.startswith("/media/")
    response = client_for(draft.owner).get(address)
    assert response.status_code == 302
    assert response["Location"] == reverse("vouchers:document", args=[draft.pk, "rib"])
    # Following it, the page checks access as always: another owner is refused there.
    served = client_for(draft.owner).get(address, follow=True)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF-")
    assert client_for(other_owner).get(address, follow=True).status_code == 404


@pytest.mark.django_db
def test_an_unknown_stored_name_is_not_found_and_anonymous_people_are_sent_to_log_in(client_for, owner):
    from django.test import Client

    response = client_for(owner).get(default_storage.url("invoices/2026/01/nothing.pdf"))
    assert response.status_code == 404
    response = Client().get(default_storage.url("invoices/2026/01/nothing.pdf"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
