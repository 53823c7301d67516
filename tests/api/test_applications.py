"""Drafts through the API: create, fill in, upload, read; and bad input that changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.api.conftest import api_for, bring_to, row, state_of
from tests.factories import (
    IBAN_FR,
    ApplicationFactory,
    CompanyFactory,
    ProviderFactory,
    SchemeFactory,
    pdf_file,
)
from tremplin.providers.models import Status as ProviderStatus
from tremplin.registry.models import Company, Establishment
from tremplin.schemes.models import Envelope
from tremplin.vouchers.models import Application, Claim


@pytest.fixture
def owner_api(people):
    return api_for(people["owner"])


# --- creating a draft ---------------------------------------------------------------------------


def test_an_owner_starts_a_draft_from_a_siren(owner_api, scheme, people):
    company = CompanyFactory()

    response = owner_api.post("/applications", json={"scheme_id": scheme.pk, "siren": company.siren})

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft"
    assert data["company"]["siren"] == company.siren
    assert data["allowed_actions"] == ["submit"]  # a draft is deleted, not withdrawn
    assert data["timeline"][0]["action"] == "create"
    assert data["timeline"][0]["actor_role"] == "owner"
    application = Application.objects.get(pk=data["id"])
    assert application.owner == people["owner"]


def test_an_owner_starts_a_draft_from_a_siret_with_spaces(owner_api, scheme):
    company = CompanyFactory(siren="732829320")
    Establishment.objects.create(siret="73282932000074", company=company, nic="00074", is_head_office=True)

    response = owner_api.post("/applications", json={"scheme_id": scheme.pk, "siret": "732 829 320 00074"})

    assert response.status_code == 201, response.json()
    assert response.json()["establishment_siret"] == "73282932000074"


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"siren": "732829321"}, 400, "invalid_siren", "siren"),
        ({"siren": "732829320"}, 404, "unknown_siren", "siren"),
        ({"siret": "73282932000075"}, 400, "invalid_siret", "siret"),
        ({}, 400, "missing", "siren"),
    ],
    ids=["bad-checksum", "unknown", "bad-siret", "nothing"],
)
def test_a_draft_needs_a_valid_known_company(owner_api, scheme, payload, status, code, field):
    response = owner_api.post("/applications", json={"scheme_id": scheme.pk, **payload})

    # A well-formed number the registry does not know names nothing: 404.
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert Application.objects.count() == 0


def test_a_ceased_company_cannot_start_a_draft(owner_api, scheme):
    company = CompanyFactory(state=Company.State.CEASED)

    response = owner_api.post("/applications", json={"scheme_id": scheme.pk, "siren": company.siren})

    assert response.status_code == 409
    assert response.json()["code"] == "company_ceased"
    assert "cessée" in response.json()["message"]
    assert Application.objects.count() == 0


def test_a_draft_cannot_be_started_on_a_closed_scheme(owner_api):
    scheme = SchemeFactory(window_closes_at=timezone.now() - timedelta(days=1))

    response = owner_api.post("/applications", json={"scheme_id": scheme.pk, "siren": CompanyFactory().siren})

    assert response.status_code == 409
    assert response.json()["code"] == "scheme_closed"


def test_an_unknown_scheme_is_not_found(owner_api):
    response = owner_api.post("/applications", json={"scheme_id": 999999, "siren": CompanyFactory().siren})

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_scheme"


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("advisor", "forbidden"),
        ("provider", "provider_for_client"),  # a provider never applies for its client
        ("auditor", "forbidden"),
        ("manager", "forbidden"),
    ],
)
def test_only_a_business_owner_starts_a_draft(apis, scheme, role, code):
    response = apis[role].post(
        "/applications", json={"scheme_id": scheme.pk, "siren": CompanyFactory().siren}
    )

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert Application.objects.count() == 0


# --- filling it in ------------------------------------------------------------------------------


def test_the_owner_fills_in_the_draft_field_by_field(owner_api, scheme, people):
    application = ApplicationFactory(
        scheme=scheme, owner=people["owner"], iban="", provider=None, planned_spend_cents=None
    )
    provider = ProviderFactory()

    response = owner_api.patch(
        f"/applications/{application.pk}",
        {
            "iban": "FR76 3000 6000 0112 3456 7890 189",
            "provider_id": provider.pk,
            "planned_spend_cents": 300_000,
        },
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["iban"] == IBAN_FR
    assert data["provider"]["id"] == provider.pk
    assert data["planned_spend_cents"] == 300_000
    assert data["amount_cents"] == 150_000
    assert data["declared_headcount"] == 4  # fields not sent are kept


def test_null_clears_a_draft_field(owner_api, draft):
    response = owner_api.patch(
        f"/applications/{draft.pk}", {"provider_id": None, "project_description": None}
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.provider is None
    assert draft.project_description == ""


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"iban": "FR7630006000011234567890180"}, "invalid_iban"),
        ({"spend_category": "training"}, "category_not_eligible"),
        ({"declared_headcount": 4, "unknown": 1}, None),
    ],
    ids=["iban-checksum", "category", "unknown-field-ignored"],
)
def test_bad_draft_values_are_refused_and_change_nothing(owner_api, draft, payload, code):
    # The scheme covers websites and online sales only: training is a category of the programme, not of it.
    draft.scheme.spend_categories = ["website", "ecommerce"]
    draft.scheme.save(update_fields=["spend_categories"])
    before = row(draft)

    response = owner_api.patch(f"/applications/{draft.pk}", payload)

    if code is None:
        assert response.status_code == 200
        assert row(draft)["declared_headcount"] == 4
        return
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert row(draft) == before


def test_an_unknown_provider_is_a_404_and_changes_nothing(owner_api, draft):
    """A provider number that names no provider is a missing resource, as an unknown SIREN or scheme is."""
    before = row(draft)

    response = owner_api.patch(f"/applications/{draft.pk}", {"provider_id": 999999})

    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown_provider",
        "message": "Ce prestataire n'existe pas.",
        "field": "provider_id",
    }
    assert row(draft) == before


def test_an_unaccredited_provider_is_refused(owner_api, draft):
    provider = ProviderFactory(status=ProviderStatus.REQUESTED, name="Agence Douteuse")
    before = row(draft)

    response = owner_api.patch(f"/applications/{draft.pk}", {"provider_id": provider.pk})

    assert response.status_code == 400
    assert response.json()["code"] == "provider_not_accredited"
    assert "Agence Douteuse" in response.json()["message"]
    assert row(draft) == before


BAD_AMOUNTS = [-1, "abc", "150000", 1500.5, True, 10**20]


@pytest.mark.parametrize(
    ("name", "value"),
    [("planned_spend_cents", v) for v in [0, *BAD_AMOUNTS]]
    + [("declared_turnover_cents", v) for v in BAD_AMOUNTS],
)
def test_amounts_must_be_integer_cents_within_range(owner_api, draft, name, value):
    before = row(draft)

    response = owner_api.patch(f"/applications/{draft.pk}", {name: value})

    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid"
    assert name in data["message"]
    assert data["errors"][0]["loc"][-1] == name
    assert row(draft) == before


@pytest.mark.parametrize(
    ("name", "sent", "stored"),
    [
        ("planned_spend_cents", 450000.0, 450_000),
        ("declared_headcount", 4.0, 4),
        ("declared_turnover_cents", 1e7, 10**7),
    ],
)
def test_a_whole_number_written_with_a_decimal_point_is_the_integer_json_schema_says_it_is(
    owner_api, draft, name, sent, stored
):
    response = owner_api.patch(f"/applications/{draft.pk}", {name: sent})

    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert getattr(draft, name) == stored
    assert type(getattr(draft, name)) is int


def test_a_submitted_file_cannot_be_edited(owner_api, draft, people):
    application = bring_to(draft, "submitted", people)
    before = row(application)

    response = owner_api.patch(f"/applications/{application.pk}", {"declared_headcount": 3})

    assert response.status_code == 409
    assert response.json()["code"] == "not_a_draft"
    assert row(application) == before


def test_another_owner_cannot_see_or_edit_a_draft(apis, draft):
    before = row(draft)

    assert apis["other_owner"].get(f"/applications/{draft.pk}").status_code == 404
    response = apis["other_owner"].patch(f"/applications/{draft.pk}", {"declared_headcount": 3})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert row(draft) == before


# --- uploads ------------------------------------------------------------------------------------


def test_the_owner_uploads_a_pdf_quote(owner_api, draft):
    response = owner_api.post(f"/applications/{draft.pk}/quote", files={"quote": pdf_file("mon devis.pdf")})

    assert response.status_code == 200, response.json()
    assert response.json()["has_quote"] is True
    draft.refresh_from_db()
    assert draft.quote.name.startswith("quotes/")


def test_a_text_file_named_pdf_is_refused(owner_api, draft):
    before = row(draft)
    fake = SimpleUploadedFile("devis.pdf", b"Bonjour, voici mon devis.", content_type="application/pdf")

    response = owner_api.post(f"/applications/{draft.pk}/quote", files={"quote": fake})

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_pdf"
    assert response.json()["field"] == "quote"
    assert "devis.pdf" in response.json()["message"]
    assert row(draft) == before


def test_a_file_over_10_mb_is_refused(owner_api, draft):
    before = row(draft)
    big = pdf_file("gros.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))

    response = owner_api.post(f"/applications/{draft.pk}/quote", files={"quote": big})

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "10 Mo" in response.json()["message"]
    assert row(draft) == before


def test_an_upload_without_a_file_is_a_422(owner_api, draft):
    response = owner_api.post(f"/applications/{draft.pk}/quote", files={})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# --- reading ------------------------------------------------------------------------------------


def test_the_eligibility_is_evaluated_now_rule_by_rule(owner_api, draft):
    response = owner_api.get(f"/applications/{draft.pk}/eligibility")

    assert response.status_code == 200
    data = response.json()
    assert data["eligible"] is True
    assert {r["kind"] for r in data["rules"]} >= {"active_in_registry", "one_open_voucher", "max_turnover"}
    assert all(r["passed"] is True and r["message"] for r in data["rules"])


def test_the_eligibility_explains_what_fails(owner_api, draft):
    Application.objects.filter(pk=draft.pk).update(declared_headcount=25)

    data = owner_api.get(f"/applications/{draft.pk}/eligibility").json()

    assert data["eligible"] is False
    failed = [r for r in data["rules"] if r["passed"] is False]
    assert [r["kind"] for r in failed] == ["max_declared_headcount"]
    assert "25 salariés" in failed[0]["message"]


def test_the_list_shows_only_the_callers_files_and_filters_by_state(owner_api, scheme, people):
    mine = [ApplicationFactory(scheme=scheme, owner=people["owner"]) for _ in range(3)]
    ApplicationFactory(scheme=scheme, owner=people["other_owner"])
    bring_to(mine[0], "submitted", people)

    everything = owner_api.get("/applications").json()
    submitted = owner_api.get("/applications", state="submitted").json()

    assert everything["count"] == 3
    assert {a["id"] for a in everything["items"]} == {a.pk for a in mine}
    assert [a["id"] for a in submitted["items"]] == [mine[0].pk]
    assert owner_api.get("/applications", state="nonsense").status_code == 422


def test_the_list_is_paginated(owner_api, scheme, people):
    for _ in range(5):
        ApplicationFactory(scheme=scheme, owner=people["owner"])

    page = owner_api.get("/applications", page=2, page_size=2).json()

    assert page["count"] == 5
    assert page["page"] == 2
    assert len(page["items"]) == 2


@pytest.mark.parametrize("role", ["owner", "advisor", "manager"])
def test_the_list_costs_the_same_queries_whatever_its_length(
    apis, scheme, people, role, django_assert_num_queries
):
    for _ in range(6):
        application = ApplicationFactory(scheme=scheme, owner=people["owner"], company=CompanyFactory())
        bring_to(application, "submitted", people)
    apis[role].get("/applications")  # first use of the token records it

    # token + user, count, page (companies, schemes, providers joined)
    with django_assert_num_queries(3):
        response = apis[role].get("/applications")

    assert response.json()["count"] == 6


def test_a_provider_sees_assigned_files_without_the_bank_details(apis, draft, people):
    application = bring_to(draft, "submitted", people)

    data = apis["provider"].get(f"/applications/{application.pk}").json()

    assert data["iban"] is None
    assert apis["owner"].get(f"/applications/{application.pk}").json()["iban"] == draft.iban


def test_an_advisor_does_not_see_drafts_nor_other_territories(apis, draft, people):
    assert apis["advisor"].get(f"/applications/{draft.pk}").status_code == 404
    application = bring_to(draft, "submitted", people)

    assert apis["advisor"].get(f"/applications/{application.pk}").status_code == 200
    assert apis["other_advisor"].get(f"/applications/{application.pk}").status_code == 404
    assert apis["other_advisor"].get("/applications").json()["count"] == 0


# --- refusals on submission and claims ----------------------------------------------------------


def test_spend_below_the_minimum_is_refused_on_submit(owner_api, draft):
    owner_api.patch(f"/applications/{draft.pk}", {"planned_spend_cents": 30_000})
    before = row(draft)

    response = owner_api.post(f"/applications/{draft.pk}/submit")

    # The submission sends nothing: the draft's state is at fault, 409.
    assert response.status_code == 409
    assert response.json()["code"] == "below_minimum_spend"
    assert "500 €" in response.json()["message"]
    assert row(draft) == before
    assert Envelope.objects.get().committed_cents == 0


def test_a_second_file_for_a_company_with_one_open_is_refused(owner_api, draft, people, scheme):
    bring_to(draft, "submitted", people)
    second = ApplicationFactory(scheme=scheme, owner=people["owner"], company=draft.company)
    before = row(second)

    response = owner_api.post(f"/applications/{second.pk}/submit")

    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"
    assert "Une autre demande est déjà en cours" in response.json()["message"]
    assert row(second) == before


def test_a_transition_from_the_wrong_state_is_a_409(apis, draft, people):
    application = bring_to(draft, "submitted", people)
    before = row(application)

    response = apis["advisor"].post(f"/applications/{application.pk}/approve")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert "Déposée" in response.json()["message"]
    assert row(application) == before


def claim(api, application, invoiced="400000", invoice=None):
    return api.post(
        f"/applications/{application.pk}/claim",
        files={
            "invoice": invoice or pdf_file("facture.pdf"),
            "proof_of_payment": pdf_file("preuve.pdf"),
            "invoiced_spend_cents": invoiced,
        },
    )


def test_a_claim_above_the_quote_is_refused(owner_api, draft, people):
    application = bring_to(draft, "approved", people)
    before = row(application)

    response = claim(owner_api, application, invoiced="450000")

    # Above this file's quote: a bound of the file, not of the schema (409).
    assert response.status_code == 409
    assert response.json()["code"] == "claim_above_voucher"
    assert response.json()["field"] == "invoiced_spend_cents"
    assert row(application) == before
    assert not Claim.objects.exists()


@pytest.mark.parametrize("invoiced", ["0", "-5", "abc", "1500.50"])
def test_a_claim_amount_must_be_positive_integer_cents(owner_api, draft, people, invoiced):
    application = bring_to(draft, "approved", people)

    response = claim(owner_api, application, invoiced=invoiced)

    assert response.status_code == 422
    assert state_of(application) == "approved"
    assert not Claim.objects.exists()


def test_a_claim_with_a_non_pdf_invoice_is_refused(owner_api, draft, people):
    application = bring_to(draft, "approved", people)
    text = SimpleUploadedFile("facture.pdf", b"pas un pdf", content_type="application/pdf")

    response = claim(owner_api, application, invoice=text)

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_pdf"
    assert response.json()["field"] == "invoice"
    assert state_of(application) == "approved"


def test_a_claim_on_an_expired_voucher_is_a_409(owner_api, draft, people):
    application = bring_to(draft, "approved", people)
    Application.objects.filter(pk=application.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    before = row(application)

    response = claim(owner_api, application)

    assert response.status_code == 409
    assert response.json()["code"] == "voucher_expired"
    assert row(application) == before


def test_a_claim_on_a_withdrawn_voucher_is_a_409(owner_api, draft, people):
    application = bring_to(draft, "approved", people)
    owner_api.post(f"/applications/{application.pk}/withdraw", json={"reason": "Projet abandonné"})
    before = row(application)

    response = claim(owner_api, application)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert row(application) == before
    assert not Claim.objects.exists()


def test_a_reject_needs_a_reason_from_the_list(apis, draft, people):
    application = bring_to(draft, "under_review", people)

    response = apis["advisor"].post(f"/applications/{application.pk}/reject", json={"reason": "because"})

    assert response.status_code == 422
    assert state_of(application) == "under_review"


def test_an_other_reason_needs_a_text(apis, draft, people):
    application = bring_to(draft, "under_review", people)

    response = apis["advisor"].post(f"/applications/{application.pk}/reject", json={"reason": "other"})

    assert response.status_code == 400
    assert response.json() == {"code": "missing", "message": "Précisez le motif du refus.", "field": "text"}
    assert state_of(application) == "under_review"


def test_an_empty_information_request_is_refused(apis, draft, people):
    application = bring_to(draft, "under_review", people)

    blank = apis["advisor"].post(f"/applications/{application.pk}/request-info", json={"message": "   "})
    absent = apis["advisor"].post(f"/applications/{application.pk}/request-info", json={})

    assert blank.status_code == 400
    assert blank.json()["field"] == "message"
    assert absent.status_code == 422
    assert state_of(application) == "under_review"


def test_a_malformed_json_body_is_a_400(apis, draft, people):
    application = bring_to(draft, "under_review", people)

    response = apis["advisor"].client.post(
        f"/api/v1/applications/{application.pk}/request-info",
        "{not json",
        content_type="application/json",
        **apis["advisor"].headers,
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_an_unknown_file_is_not_found(owner_api):
    response = owner_api.get("/applications/424242")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Dossier introuvable."}


def test_an_envelope_of_another_year_does_not_fund_a_file(owner_api, draft):
    Envelope.objects.update(year=timezone.localdate().year - 1)

    response = owner_api.post(f"/applications/{draft.pk}/submit")

    assert response.status_code == 409
    assert response.json()["code"] == "no_envelope"
    assert state_of(draft) == "draft"


def test_a_scheme_without_envelope_for_the_region_refuses_submission(owner_api, people):
    scheme = SchemeFactory()
    application = ApplicationFactory(scheme=scheme, owner=people["owner"])

    response = owner_api.post(f"/applications/{application.pk}/submit")

    assert response.status_code == 409
    assert response.json()["code"] == "no_envelope"


def test_the_claim_says_whether_the_invoice_was_read(owner_api, draft, people, anonymous):
    from tests.helpers_facturx import facturx_pdf

    application = bring_to(draft, "approved", people)
    invoice = SimpleUploadedFile(
        "facture.pdf",
        facturx_pdf(
            seller_id=application.provider.siret, issue_date=timezone.localdate(), total_ht_cents=400_000
        ),
        content_type="application/pdf",
    )
    data = claim(owner_api, application, invoice=invoice).json()
    assert data["claim"]["invoice_reading"] == "read"
    assert owner_api.get(f"/applications/{application.pk}").json()["claim"]["invoice_reading"] == "read"
    Claim.objects.filter(application=application).update(facturx={"facturx": False})
    assert owner_api.get(f"/applications/{application.pk}").json()["claim"]["invoice_reading"] == "plain"

    schema = anonymous.get("/openapi.json").json()["components"]["schemas"]["ClaimOut"]
    assert "invoice_reading" in schema["required"]
    assert schema["properties"]["invoice_reading"]["enum"] == ["read", "unreadable", "plain"]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\x7f"],
)
@pytest.mark.parametrize(("method", "path"), [("post", "/quote"), ("patch", "")])
def test_a_multipart_body_that_cannot_be_read_is_refused_in_the_apis_json(
    owner_api, draft, content_type, method, path
):
    before = row(draft)

    response = getattr(owner_api.client, method)(
        f"/api/v1/applications/{draft.pk}{path}",
        b"--xyz\r\nnot a part\r\n",
        content_type=content_type,
        **owner_api.headers,
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_request"
    assert row(draft) == before


def test_the_submission_answers_the_file_as_reading_it_afterwards_shows_it(owner_api, draft):
    """The answer is built from the file the service returns, not read again: it must say the same."""
    response = owner_api.post(f"/applications/{draft.pk}/submit")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["queue_rank"] == 1
    assert response.json() == owner_api.get(f"/applications/{draft.pk}").json()


def test_a_category_the_programme_does_not_know_is_a_422_on_its_field(owner_api, draft):
    before = row(draft)
    response = owner_api.patch(f"/applications/{draft.pk}", {"spend_category": "holidays"})
    assert response.status_code == 422
    assert "spend_category" in str(response.json())
    assert row(draft) == before
