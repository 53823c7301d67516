"""API test fixtures: the root's named users, each with a token, and files driven by the real services."""

import pytest
from django.test import Client

from tests.factories import (
    ApplicationFactory,
    pdf_file,
)
from tremplin.accounts.models import ApiToken
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
