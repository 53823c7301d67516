"""A person downloads what the platform holds about them (JSON and PDF): all of it, and nobody else's."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import ApplicationFactory, pdf_file
from tremplin.accounts.models import Role
from tremplin.core.models import AuditEvent
from tremplin.privacy.export import SECTIONS, personal_data
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(scheme, owner, company, advisor):
    """Camille's submitted file, with an exchange with the advisor and a file joined to her answer."""
    application = ApplicationFactory(scheme=scheme, owner=owner, company=company)
    application = services.submit(owner, application)
    application = services.start_review(advisor, application)
    application = services.request_info(advisor, application, "Merci de joindre le devis signé.")
    services.post_message(owner, application, "Le voici.", [pdf_file("devis-signe.pdf")])
    return application


def test_the_export_holds_the_persons_account_identity_files_bank_data_and_exchange(answered, owner):
    data = personal_data(owner)
    assert data["person"] == owner.email
    assert data["account"][0]["email"] == owner.email
    assert data["account"][0]["role"] == str(Role.OWNER.label)
    [representation] = data["representations"]
    assert representation["family_name"] == owner.representations.get().family_name
    assert representation["birth_date"] == owner.representations.get().birth_date.isoformat()
    [application] = data["applications"]
    assert application["reference"] == answered.reference
    assert application["iban"] == answered.iban  # their own bank data, in full
    assert application["planned_spend_cents"] == answered.planned_spend_cents
    assert (
        application["bank_document"]["stored"] is True and len(application["bank_document"]["sha256"]) == 64
    )
    bodies = [m["body"] for m in data["messages"]]
    assert bodies == ["Merci de joindre le devis signé.", "Le voici."]
    assert [a["original_name"] for a in data["attachments"]] == ["devis-signe.pdf"]
    assert {e["action"] for e in data["activity"]} >= {"submit"}
    assert set(data) == {"format_version", "generated_at", "person", *(s.key for s in SECTIONS)}
    json.dumps(data)  # every value is JSON


def test_the_export_holds_nothing_of_another_person(answered, owner, other_owner, scheme):
    theirs = ApplicationFactory(scheme=scheme, owner=other_owner, project_description="Projet de l'autre")
    services.submit(other_owner, theirs)
    text = json.dumps(personal_data(owner), ensure_ascii=False)
    assert theirs.iban not in text and theirs.reference not in text and "Projet de l'autre" not in text
    assert other_owner.email not in text
    mine = json.dumps(personal_data(other_owner), ensure_ascii=False)
    assert answered.iban not in mine and "Le voici." not in mine and owner.email not in mine


def test_an_advisor_gets_her_account_and_what_she_did_not_the_owners_files(answered, advisor, owner):
    data = personal_data(advisor)
    assert data["account"][0]["email"] == advisor.email
    assert data["applications"] == [] and data["representations"] == []
    assert {e["action"] for e in data["activity"]} >= {"start_review", "request_info"}
    assert [m["body"] for m in data["messages"]] == ["Merci de joindre le devis signé."]
    assert answered.iban not in json.dumps(data)


def test_the_page_lists_what_is_held_and_downloads_json_and_pdf_audited(client_for, answered, owner):
    client = client_for(owner)
    page = client.get(reverse("privacy:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mes données personnelles" in html and "Vos demandes de chèque" in html
    assert "no-store" in page["Cache-Control"]

    response = client.post(reverse("privacy:download", args=["json"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-tremplin-')
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["applications"][0]["reference"] == answered.reference

    response = client.post(reverse("privacy:download", args=["pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert owner.email in text and answered.reference in text and "Vos demandes de chèque" in text

    events = AuditEvent.objects.filter(action="personal_data_downloaded", actor=owner)
    assert sorted(e.data["format"] for e in events) == ["json", "pdf"]


def test_downloads_are_posts_for_the_signed_in_person_only(client, client_for, owner):
    assert client_for(owner).get(reverse("privacy:download", args=["json"])).status_code == 405
    assert client_for(owner).post(reverse("privacy:download", args=["xml"])).status_code == 404
    response = client.post(reverse("privacy:download", args=["json"]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not AuditEvent.objects.filter(action="personal_data_downloaded").exists()


def test_every_signed_in_person_finds_the_page_in_the_footer(client_for, client, owner, advisor):
    for user in (owner, advisor):
        assert (
            f'href="{reverse("privacy:mine")}"' in client_for(user).get(reverse("core:home")).content.decode()
        )
    assert f'href="{reverse("privacy:mine")}"' not in client.get(reverse("core:home")).content.decode()
