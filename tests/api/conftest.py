"""API test fixtures: the root's named users, each with a token, and files driven by the real services."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    BIRTH_DATE,
    ApplicationFactory,
    declared,
    pdf_file,
    register_account,
    register_representative,
)
from tremplin.accounts.models import ApiToken
from tremplin.authority import services as authority
from tremplin.demo.seed import french_iban
from tremplin.payments import services as payments
from tremplin.vouchers import services
from tremplin.vouchers.models import Application

PREFIX = "/api/v1"


class ApiClient:
    """The Django test client speaking to the API with one user's bearer token."""

    def __init__(self, user=None, raw_token=None):
        self.user = user
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if raw_token else {}

    def get(self, path, **params):
        return self.client.get(PREFIX + path, params, **self.headers)

    def post(self, path, json=None, files=None):
        if files is not None:
            return self.client.post(PREFIX + path, files, **self.headers)
        if json is None:
            return self.client.post(PREFIX + path, b"", content_type="application/json", **self.headers)
        return self.client.post(PREFIX + path, json, content_type="application/json", **self.headers)

    def patch(self, path, json):
        return self.client.patch(PREFIX + path, json, content_type="application/json", **self.headers)


def api_for(user):
    _token, raw = ApiToken.issue(user, "tests")
    return ApiClient(user, raw)


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def declare(api, company, capacity="representative", birth_date=BIRTH_DATE):
    """The API client's user says, through the API, who they are and in what capacity they act."""
    user = api.user
    return api.post(
        "/authority/representations",
        json={
            "siren": company.siren,
            "capacity": capacity,
            "given_names": user.first_name,
            "family_name": user.last_name,
            "birth_date": birth_date.isoformat(),
        },
    )


def declare_as_director(api, company):
    """The register lists the API client's user as the company's director, and they declare it."""
    register_representative(company, api.user.first_name, api.user.last_name, BIRTH_DATE.strftime("%Y-%m"))
    data = ok(declare(api, company))
    assert (data["status"], data["basis"]) == ("verified", "registry")
    return data


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def people(owner, other_owner, advisor, other_advisor, provider_member, auditor, manager):
    """The root's named users by role. The advisor covers the Rhône, where the owner's company is."""
    return {
        "owner": owner,
        "other_owner": other_owner,
        "advisor": advisor,
        "other_advisor": other_advisor,
        "provider": provider_member,
        "auditor": auditor,
        "manager": manager,
    }


@pytest.fixture
def apis(people):
    return {role: api_for(user) for role, user in people.items()}


@pytest.fixture
def draft(scheme, owner, company, provider_member):
    """The owner's complete draft, with the provider of the provider member (so that they see the file)."""
    return ApplicationFactory(scheme=scheme, owner=owner, company=company, provider=provider_member.provider)


def state_of(application):
    return Application.objects.values_list("state", flat=True).get(pk=application.pk)


def row(application):
    return Application.objects.filter(pk=application.pk).values().get()


MAIN_PATH = [
    "draft",
    "submitted",
    "under_review",
    "approved",
    "claim_submitted",
    "claim_under_review",
    "claim_approved",
    "paid",
]


def pay_through_a_batch(manager, application):
    """Money only leaves through a SEPA batch."""
    payments.mark_batch_paid(manager, payments.create_batch(manager, application.scheme))
    return Application.objects.get(pk=application.pk)


def bring_to(application, state, people):
    """Drive a draft to `state` through the service functions, as the UI or the API would."""
    owner, advisor, manager = application.owner, people["advisor"], people["manager"]
    steps = {
        "submitted": lambda a: services.submit(owner, a),
        "under_review": lambda a: services.start_review(advisor, a),
        "approved": lambda a: services.approve(advisor, a),
        "claim_submitted": lambda a: (
            services.submit_claim(
                owner, a, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), a.planned_spend_cents
            ).application
        ),
        "claim_under_review": lambda a: services.start_claim_review(advisor, a),
        "claim_approved": lambda a: services.approve_claim(advisor, a),
        "paid": lambda a: pay_through_a_batch(manager, a),
    }
    side = {"info_requested": "under_review", "claim_info_requested": "claim_under_review"}
    target = side.get(state, state)
    for step in MAIN_PATH[1 : MAIN_PATH.index(target) + 1]:
        application = steps[step](application)
    if state == "info_requested":
        application = services.request_info(advisor, application, "Merci de joindre un devis signé.")
    if state == "claim_info_requested":
        application = services.request_claim_info(
            advisor, application, "Merci de joindre le relevé bancaire."
        )
    application.refresh_from_db()
    assert application.state == state
    return application


def iban_of(company):
    """An account of the company's own at the (test) bank."""
    return french_iban("30006", "00001", company.siren.rjust(11, "0"))


def new_file(owner_api, scheme, company, provider, spend=400_000, *, director=True, bank_holder=None):
    """Create and fill a draft the way a partner's form would, then return its id.

    By default the owner is the company's director in the register and says so (`director=False`: the
    test sets up who applies); the account is held in the company's name at its bank, or in
    `bank_holder`'s, and its RIB is sent with the quote.
    """
    if director:
        declare_as_director(owner_api, company)
    iban = iban_of(company)
    register_account(iban, bank_holder or company.denomination)
    data = ok(owner_api.post("/applications", json={"scheme_id": scheme.pk, "siren": company.siren}), 201)
    ok(
        owner_api.patch(
            f"/applications/{data['id']}",
            {
                "declared_headcount": 4,
                "declared_turnover_cents": 35_000_000,
                "declared_de_minimis_cents": 0,
                "has_linked_companies": False,
                "iban": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
                "account_holder": company.denomination,
                "provider_id": provider.pk,
                "spend_category": "website",
                "project_description": "Site vitrine avec commande en ligne",
                "planned_spend_cents": spend,
            },
        )
    )
    ok(
        owner_api.post(
            f"/applications/{data['id']}/quote",
            files={"quote": pdf_file("devis.pdf"), "bank_document": pdf_file("rib.pdf")},
        )
    )
    return data["id"]


def documents_sent(owner, company):
    """The owner, not in the register, declares herself and sends a recent extract and the signed statement."""
    rep = declared(owner, company)
    return authority.add_documents(
        owner,
        rep,
        register_extract=pdf_file("extrait.pdf"),
        extract_issued_on=timezone.localdate() - timedelta(days=10),
        statement=pdf_file("attestation.pdf"),
    )


def held_for_authority(draft):
    """Submit a draft made with `standing=False` whose owner is not in the register but sent the documents:
    the file waits for an advisor, nothing reserved. The account is the company's."""
    register_account(draft.iban, draft.company.denomination)
    documents_sent(draft.owner, draft.company)
    application = services.submit(draft.owner, draft)
    assert application.state == "authority_check"
    return application
