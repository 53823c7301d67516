"""Offers in the provider space, and the public directory: search, filters, pages, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProviderFactory
from tests.providers.conftest import REVERSIBILITY, login, make_offer
from tremplin.core.models import AuditEvent
from tremplin.providers.models import Offer, Provider, Status
from tremplin.providers.search import CappedPaginator, coverage_rows, refresh_directory

pytestmark = pytest.mark.django_db


def offer_data(**overrides):
    data = {
        "category": "ecommerce",
        "title": "Boutique en ligne clés en main",
        "description": "Catalogue, paiement, livraison.",
        "price_min": "1 500",
        "price_max": "4 000",
        "delivery_days": "45",
        "reversibility": REVERSIBILITY,
        "departements": ["69"],
    }
    data.update(overrides)
    return data


def test_a_member_publishes_an_offer_and_it_becomes_searchable(member, provider, rhone):
    response = login(member).post(reverse("providers:offer_new"), offer_data())
    assert response.status_code == 302
    offer = provider.offers.get(category="ecommerce")
    assert (offer.price_min_cents, offer.price_max_cents, offer.delivery_days) == (150_000, 400_000, 45)
    assert list(offer.departements.values_list("code", flat=True)) == ["69"]
    provider.refresh_from_db()
    assert "boutique en ligne" in provider.search_text
    assert AuditEvent.objects.for_object(offer).get().action == "create_offer"


def test_a_price_range_with_min_above_max_is_refused_and_nothing_changes(member, provider, rhone):
    before = Offer.objects.count()
    response = login(member).post(
        reverse("providers:offer_new"), offer_data(price_min="5 000", price_max="2 000")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "est inférieur au prix minimal" in page
    assert Offer.objects.count() == before


def test_an_offer_without_a_reversibility_commitment_is_refused(member, provider, rhone):
    response = login(member).post(reverse("providers:offer_new"), offer_data(reversibility="oui"))
    assert "engagement de réversibilité" in response.content.decode()
    assert not provider.offers.filter(category="ecommerce").exists()


def test_a_member_cannot_edit_another_providers_offer(member, other_member):
    offer = other_member.provider.offers.get()
    client = login(member)
    assert client.get(reverse("providers:offer_edit", args=[offer.pk])).status_code == 404
    assert client.post(reverse("providers:offer_delete", args=[offer.pk])).status_code == 404
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_a_member_edits_then_deletes_an_offer(member, provider):
    offer = provider.offers.get()
    client = login(member)
    client.post(
        reverse("providers:offer_edit", args=[offer.pk]), offer_data(category="website", title="Site vitrine")
    )
    offer.refresh_from_db()
    assert offer.title == "Site vitrine"
    client.post(reverse("providers:offer_delete", args=[offer.pk]))
    assert not provider.offers.exists()


def test_the_directory_is_public_and_shows_the_reversibility_commitment_on_the_provider_page(
    client, provider
):
    response = client.get(reverse("providers:directory"))
    assert response.status_code == 200
    assert provider.name in response.content.decode()
    page = client.get(reverse("providers:detail", args=[provider.pk])).content.decode()
    assert "Engagement de réversibilité" in page and "Export de toutes vos données" in page


def test_search_ignores_accents_and_case(client, rhone):
    provider = ProviderFactory(name="Électricité Connectée")
    make_offer(provider)
    ProviderFactory(name="Boulangerie Web")
    refresh_directory(Provider.objects.get(name="Boulangerie Web"))
    for query in ("electricite", "ÉLECTRICITÉ", "connectee electr"):
        page = client.get(reverse("providers:directory"), {"q": query}).content.decode()
        assert "Électricité Connectée" in page, query
        assert "Boulangerie Web" not in page, query


def test_the_directory_filters_by_category_departement_price_and_rating(client, rhone, finistere):
    lyon = ProviderFactory(name="Agence Lyon")
    make_offer(lyon, "website", 100_000, 200_000, [rhone])
    brest = ProviderFactory(name="Agence Brest")
    make_offer(brest, "cybersecurity", 300_000, 600_000, [finistere])
    Provider.objects.filter(pk=brest.pk).update(rating_avg=4.5, rating_count=2)

    def names(**params):
        page = client.get(reverse("providers:directory"), params).content.decode()
        return {n for n in ("Agence Lyon", "Agence Brest") if n in page}

    assert names(category="website") == {"Agence Lyon"}
    assert names(departement="29") == {"Agence Brest"}
    assert names(max_price="2 000") == {"Agence Lyon"}
    assert names(min_rating="4") == {"Agence Brest"}
    # Category and département apply to the same offer.
    assert names(category="website", departement="29") == set()


@pytest.mark.parametrize("typed", ["1e30", "1" * 30, "Infinity"])
def test_a_huge_or_unreadable_price_filter_is_refused_on_its_field(client, typed):
    response = client.get(reverse("providers:directory"), {"max_price": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["max_price"]


def test_the_directory_hides_providers_that_are_not_accredited(client):
    suspended = ProviderFactory(name="Agence Suspendue")
    make_offer(suspended)
    Provider.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
    assert "Agence Suspendue" not in client.get(reverse("providers:directory")).content.decode()
    assert client.get(reverse("providers:detail", args=[suspended.pk])).status_code == 404


def test_the_directory_is_paginated_with_a_pinned_number_of_queries(client, rhone):
    for i in range(45):
        provider = ProviderFactory(name=f"Agence {i:02d}")
        make_offer(provider, "website", departements=[rhone])
        make_offer(provider, "training", departements=[rhone])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("providers:directory"), {"q": "agence", "category": "website", "page": 2}
        )
    assert response.status_code == 200
    assert "Agence 20" in response.content.decode()
    # départements of the filter, count, site settings (DSFR), page of providers, their offers.
    assert len(queries) == 5, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("providers:directory"), {"page": 3})
    assert len(queries) == 5


def test_a_bad_filter_value_is_explained(client):
    response = client.get(reverse("providers:directory"), {"max_price": "beaucoup"})
    assert response.status_code == 200
    assert "Le montant doit être un nombre" in response.content.decode()


def test_the_directory_index_follows_the_offers(member, provider, rhone, finistere):
    offer = provider.offers.get()
    client = login(member)
    client.post(
        reverse("providers:offer_edit", args=[offer.pk]),
        offer_data(category="training", price_min="800", price_max="900", departements=["69", "29"]),
    )
    rows = set(provider.coverage.values_list("category", "departement_id", "price_min_cents"))
    assert rows == {("training", "69", 80_000), ("training", "29", 80_000)}
    client.post(reverse("providers:offer_delete", args=[offer.pk]))
    assert not provider.coverage.exists()


def test_a_broad_search_counts_up_to_a_cap_and_says_so(client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for i in range(5):
        make_offer(ProviderFactory(name=f"Agence {i}"))
    page = client.get(reverse("providers:directory")).content.decode()
    assert "Plus de 3 prestataires trouvés" in page
    assert (
        client.get(reverse("providers:directory"), {"q": "agence 4"}).context["page_obj"].paginator.count == 1
    )


def test_the_directory_index_keeps_the_lowest_price_per_category_and_departement():
    offers = [(1, "website", 150_000), (2, "website", 90_000), (3, "training", 50_000)]
    links = [(1, "69"), (1, "29"), (2, "69")]
    assert set(coverage_rows(offers, links)) == {
        ("website", "69", 90_000),
        ("website", "29", 150_000),
        ("training", None, 50_000),  # an offer without département still counts for its category
    }
