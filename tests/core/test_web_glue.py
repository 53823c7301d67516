"""The pieces every app's pages share: base form, amounts, role check, refusal status, PDF downloads."""

from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.forms import DsfrForm, EurosField
from tremplin.core.web import document_response, pdf_response, require_role, status_for


class AmountForm(DsfrForm):
    amount = EurosField(label="Montant", max_length=12)
    declared = EurosField(label="Déclaré", required=False, allow_zero=True)
    service_fields = {"amount_cents": "amount"}


def test_a_service_error_lands_on_the_field_it_names_through_the_form_s_names():
    form = AmountForm({"amount": "10"})
    form.is_valid()
    form.add_service_error(ServiceError("too_much", "Trop élevé.", "amount_cents"))
    form.add_service_error(ServiceError("declared", "Non.", "declared"))
    assert form.errors == {"amount": ["Trop élevé."], "declared": ["Non."]}


def test_a_service_error_without_a_known_field_goes_to_the_whole_form():
    form = AmountForm({"amount": "10"})
    form.is_valid()
    form.add_service_error(ServiceError("closed", "C'est fermé.", "scheme"))
    form.add_service_error(Conflict("moved", "Le dossier a changé."))
    assert form.non_field_errors() == ["C'est fermé.", "Le dossier a changé."]


@pytest.mark.parametrize(
    ("typed", "cents"), [("1 500", 150_000), ("1 500,50", 150_050), ("800 €", 80_000), ("", None)]
)
def test_amounts_are_read_in_cents(typed, cents):
    form = AmountForm({"amount": "1", "declared": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["declared"] == cents


def test_zero_is_an_amount_only_where_allowed():
    form = AmountForm({"amount": "0", "declared": "0,00"})
    assert not form.is_valid()
    assert form.cleaned_data["declared"] == 0
    assert form.errors["amount"] == ["Le montant doit être supérieur à zéro."]
    assert form.errors.as_data()["amount"][0].code == "invalid_amount"


def test_the_text_of_an_amount_is_checked_before_it_is_read():
    form = AmountForm({"amount": "1" * 13})
    assert not form.is_valid()
    assert "12 caractères" in form.errors["amount"][0]


def test_an_upload_input_sits_in_its_upload_group_and_other_file_inputs_do_not():
    class UploadForm(DsfrForm):
        pdf = forms.FileField(widget=forms.ClearableFileInput(attrs={"class": "fr-upload"}))
        other = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}))

    form = UploadForm()
    assert form.fields["pdf"].widget.group_class == "fr-upload-group"
    assert not hasattr(form.fields["other"].widget, "group_class")


def test_a_page_is_refused_to_other_roles():
    require_role(SimpleNamespace(role="manager"), "manager", "auditor")
    with pytest.raises(DjangoPermissionDenied, match="Cette page n'est pas accessible avec votre profil."):
        require_role(SimpleNamespace(role="owner"), "manager", "auditor")


def test_the_status_of_a_refused_form_says_conflict_forbidden_or_the_page_s_own_for_bad_input():
    assert status_for(Conflict("c", "m")) == 409
    assert status_for(PermissionDenied("p", "m")) == 403
    assert status_for(ServiceError("s", "m")) == 200
    assert status_for(ServiceError("s", "m"), invalid=400) == 400
    assert status_for(Conflict("c", "m"), invalid=400) == 409


def test_a_generated_pdf_is_downloaded_with_its_name():
    response = pdf_response(b"%PDF-1.4", "decision-TN-1.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="decision-TN-1.pdf"'
    assert response.content == b"%PDF-1.4"


def test_a_stored_pdf_opens_inline_other_content_is_downloaded_a_missing_one_is_not_found(tmp_path, db):
    # Closing the response sends request_finished, which looks at the database connections.
    storage = FileSystemStorage(location=tmp_path)
    field = SimpleNamespace(storage=storage)
    name = storage.save("devis.pdf", ContentFile(b"%PDF-1.4"))
    response = document_response(FieldFile(None, field, name), "devis-TN-1.pdf")
    assert response["Content-Disposition"] == 'inline; filename="devis-TN-1.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    response.close()
    name = storage.save("page.pdf", ContentFile(b"<html><script>"))
    response = document_response(FieldFile(None, field, name), "page.pdf")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    response.close()
    with pytest.raises(Http404):
        document_response(FieldFile(None, field, "gone.pdf"), "gone.pdf")
