"""A document added through the admin's inline is checked like an upload: a real PDF, no HTML."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from tests.factories import UserFactory, pdf_bytes, pdf_file
from tremplin.providers.admin import DocumentInline
from tremplin.providers.models import Document, Provider

pytestmark = pytest.mark.django_db


def inline_form(files):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    form_class = DocumentInline(Provider, site).get_formset(request).form
    return form_class(data={"kind": Document.Kind.URSSAF, "label": "", "expires_on": ""}, files=files)


def test_the_admin_refuses_html_behind_a_pdf_header():
    form = inline_form({"file": pdf_file("evil.html", b"%PDF-1.4\n<html><script>alert(1)</script>")})
    assert not form.is_valid()
    assert "« evil.html »" in form.errors["file"][0]


def test_the_admin_takes_a_real_pdf():
    form = inline_form({"file": pdf_file("urssaf.pdf", pdf_bytes())})
    form.is_valid()
    assert "file" not in form.errors
