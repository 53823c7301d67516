"""The providers API: public directory, offers of the caller's provider, quotes and reviews, with a token."""

import pytest
from django.test import Client

from tests.factories import ApplicationFactory, ProviderFactory, UserFactory, pdf_file
from tests.providers.conftest import REVERSIBILITY, make_offer, paid_application
from tremplin.accounts.models import ApiToken
from tremplin.providers.models import Offer, Quote, QuoteRequest, Review

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.providers.urls")]

PREFIX = "/api/v1/providers"


class Api:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, raw = ApiToken.issue(user, "tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get(PREFIX + path, params, **self.headers)

    def post(self, path, json=None, files=None):
        if files is not None:
            return self.client.post(PREFIX + path, files, **self.headers)
        return self.client.post(PREFIX + path, json or {}, content_type="application/json", **self.headers)

    def put(self, path, json):
        return self.client.put(PREFIX + path, json, content_type="application/json", **self.headers)

    def delete(self, path):
        return self.client.delete(PREFIX + path, **self.headers)


def offer_body(**overrides):
    body = {
        "category": "training",
        "title": "Formation réseaux sociaux",
        "price_min_cents": 60_000,
        "price_max_cents": 90_000,
        "delivery_days": 10,
        "reversibility": REVERSIBILITY,
        "departements": ["69"],
    }
    body.update(overrides)
    return body


def test_the_directory_needs_no_token_and_ignores_accents(rhone):
    provider = ProviderFactory(name="Électricité Connectée")
    make_offer(provider)
    ProviderFactory(name="Autre")
    response = Api().get("", q="electricite")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["name"] == "Électricité Connectée"
    assert body["items"][0]["categories"] == ["website"]
    detail = Api().get(f"/{provider.pk}").json()
    assert detail["offers"][0]["reversibility"] == REVERSIBILITY


def test_an_unknown_provider_is_a_structured_404():
    response = Api().get("/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_members_create_update_and_delete_their_offers(member, provider, rhone):
    api = Api(member)
    response = api.post(f"/{provider.pk}/offers", offer_body())
    assert response.status_code == 201, response.json()
    offer_id = response.json()["id"]
    response = api.put(f"/{provider.pk}/offers/{offer_id}", offer_body(price_max_cents=120_000))
    assert response.json()["price_max_cents"] == 120_000
    assert api.delete(f"/{provider.pk}/offers/{offer_id}").status_code == 204
    assert not Offer.objects.filter(pk=offer_id).exists()


def test_a_price_range_with_min_above_max_is_a_structured_error_and_changes_nothing(member, provider, rhone):
    before = Offer.objects.count()
    response = Api(member).post(
        f"/{provider.pk}/offers", offer_body(price_min_cents=90_000, price_max_cents=10_000)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "price_range"
    assert response.json()["field"] == "price_max_cents"
    assert Offer.objects.count() == before


def test_nobody_else_manages_a_providers_offers(member, other_member, owner, provider, rhone):
    for user in (other_member, owner):
        response = Api(user).post(f"/{provider.pk}/offers", offer_body())
        assert response.status_code == 403
    assert Api().post(f"/{provider.pk}/offers", offer_body()).status_code == 401
    offer = provider.offers.get()
    assert Api(other_member).delete(f"/{provider.pk}/offers/{offer.pk}").status_code == 403


def test_the_quote_flow_through_the_api(owner, draft, member, other_member):
    response = Api(owner).post(
        "/quote-requests",
        {
            "application_id": draft.pk,
            "provider_ids": [member.provider_id, other_member.provider_id],
            "category": "website",
            "description": "Site vitrine",
        },
    )
    assert response.status_code == 201, response.json()
    mine = Quote.objects.get(provider=member.provider)

    # Each provider sees only its own quote, and not the client's file number.
    listed = Api(member).get("/quotes").json()
    assert [q["id"] for q in listed] == [mine.pk]
    assert listed[0]["application_id"] is None

    bad = Api(member).post(
        f"/quotes/{mine.pk}/answer",
        files={"amount_cents": "250000", "category": "strategy", "file": pdf_file()},
    )
    assert bad.status_code == 400, bad.json()
    assert bad.json()["code"] == "category_not_offered"

    other_quote = Quote.objects.get(provider=other_member.provider)
    stolen = Api(member).post(
        f"/quotes/{other_quote.pk}/answer",
        files={"amount_cents": "250000", "category": "website", "file": pdf_file()},
    )
    assert stolen.status_code == 404

    ok = Api(member).post(
        f"/quotes/{mine.pk}/answer",
        files={"amount_cents": "250000", "category": "website", "file": pdf_file()},
    )
    assert ok.status_code == 200 and ok.json()["state"] == "answered"

    assert Api(member).post(f"/quotes/{mine.pk}/choose").status_code == 403
    chosen = Api(owner).post(f"/quotes/{mine.pk}/choose")
    assert chosen.status_code == 200 and chosen.json()["state"] == "chosen"
    draft.refresh_from_db()
    assert draft.provider_id == member.provider_id and draft.planned_spend_cents == 250_000
    assert QuoteRequest.objects.get().state == "closed"


def test_asking_an_unknown_provider_is_a_404_and_creates_nothing(owner, draft, member):
    response = Api(owner).post(
        "/quote-requests",
        {
            "application_id": draft.pk,
            "provider_ids": [member.provider_id, 999999],
            "category": "website",
            "description": "Site vitrine",
        },
    )
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"
    assert response.json()["field"] == "provider_ids"
    assert not QuoteRequest.objects.exists()


def test_more_than_three_providers_is_refused(owner, draft, member, other_member):
    extra = [UserFactory(provider_member=True).provider_id for _ in range(2)]
    response = Api(owner).post(
        "/quote-requests",
        {
            "application_id": draft.pk,
            "provider_ids": [member.provider_id, other_member.provider_id, *extra],
            "category": "website",
            "description": "Site vitrine",
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "too_many_providers"
    assert not QuoteRequest.objects.exists()


def test_a_provider_cannot_request_quotes_or_submit_for_a_client(scheme, member):
    application = ApplicationFactory(scheme=scheme, provider=member.provider)
    response = Api(member).post(
        "/quote-requests",
        {
            "application_id": application.pk,
            "provider_ids": [member.provider_id],
            "category": "website",
            "description": "x",
        },
    )
    assert response.status_code == 404
    _token, raw = ApiToken.issue(member, "tests")
    submit = Client().post(
        f"/api/v1/applications/{application.pk}/submit",
        b"",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert submit.status_code in (403, 404)
    application.refresh_from_db()
    assert application.state == "draft"


def test_reviews_through_the_api(owner, member, advisor, manager, scheme):
    unpaid = ApplicationFactory(scheme=scheme, owner=owner, provider=member.provider)
    body = {"quality": 5, "deadlines": 4, "communication": 5, "text": "Très bon travail."}
    refused = Api(owner).post("/reviews", {**body, "application_id": unpaid.pk})
    assert refused.status_code == 409 and refused.json()["code"] == "not_paid"
    paid = paid_application(member.provider, owner, advisor, manager)
    assert Api(owner).post("/reviews", {**body, "application_id": paid.pk}).status_code == 201
    again = Api(owner).post("/reviews", {**body, "application_id": paid.pk})
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1
    assert Api().get(f"/{member.provider_id}").json()["reviews"][0]["text"] == "Très bon travail."


def test_the_owner_cancels_a_quote_request_through_the_api(owner, draft, member, other_member):
    created = (
        Api(owner)
        .post(
            "/quote-requests",
            {
                "application_id": draft.pk,
                "provider_ids": [member.provider_id],
                "category": "website",
                "description": "Site vitrine",
            },
        )
        .json()
    )
    path = f"/quote-requests/{created['id']}/cancel"
    assert Api(member).post(path).status_code == 404
    assert Api(other_member).post(path).status_code == 404
    assert Api().post(path).status_code == 401

    response = Api(owner).post(path)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "cancelled" and [q["state"] for q in body["quotes"]] == ["not_chosen"]
    again = Api(owner).post(path)
    assert again.status_code == 409 and again.json()["code"] == "request_closed"
