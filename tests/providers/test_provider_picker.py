"""Choosing a provider for a draft, and whom to ask for quotes: accredited providers filtered by
département (the company's by default), category and name, on the server, without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProviderFactory
from tests.providers.conftest import login, make_offer
from tremplin.providers.models import Provider, QuoteRequest, Status
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


def picker(draft, **params):
    return reverse("providers:pick_provider", args=[draft.pk]), params


@pytest.fixture
def catalogue(rhone, finistere):
    """Providers of every kind: only the first three may be offered, each where and for what it works."""
    web_rhone = ProviderFactory(name="Atelier Web Lumière")
    make_offer(web_rhone, "website", departements=[rhone])
    shop_rhone = ProviderFactory(name="Boutique Express")
    make_offer(shop_rhone, "ecommerce", departements=[rhone])
    web_brittany = ProviderFactory(name="Breizh Numérique")
    make_offer(web_brittany, "website", departements=[finistere])
    lapsed = ProviderFactory(name="Documents Périmés")
    make_offer(lapsed, "website", departements=[rhone])
    Provider.objects.filter(pk=lapsed.pk).update(
        documents_valid_until=timezone.localdate() - timedelta(days=1)
    )
    refused = ProviderFactory(name="Non Habilité", status=Status.REFUSED)
    make_offer(refused, "website", departements=[rhone])
    return {
        "web": web_rhone,
        "shop": shop_rhone,
        "brittany": web_brittany,
        "lapsed": lapsed,
        "refused": refused,
    }


def names(html, catalogue):
    return sorted(p.name for p in catalogue.values() if p.name in html)


# --- the draft -----------------------------------------------------------------------------------


def test_the_draft_offers_the_picker_instead_of_a_long_list(owner, draft, catalogue):
    page = login(owner).get(reverse("vouchers:edit", args=[draft.pk])).content.decode()
    assert '<select name="provider"' not in page
    assert "Choisir un prestataire" in page
    assert "Aucun prestataire choisi" in page


def test_opening_the_picker_saves_what_was_typed_first(owner, draft):
    response = login(owner).post(
        reverse("vouchers:edit", args=[draft.pk]),
        {"project_description": "Un site pour la boulangerie.", "_action": "pick_provider"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:pick_provider", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.project_description == "Un site pour la boulangerie."


def test_the_picker_shows_the_accredited_providers_of_the_companys_departement_for_the_drafts_spend(
    owner, draft, catalogue
):
    assert draft.spend_category == "website"
    response = login(owner).get(reverse("providers:pick_provider", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert names(html, catalogue) == ["Atelier Web Lumière"]
    assert '<option value="69" selected>' in html and '<option value="website" selected>' in html
    html = login(owner).get(
        reverse("providers:pick_provider", args=[draft.pk]), {"departement": "69", "category": ""}
    )
    assert names(html.content.decode(), catalogue) == ["Atelier Web Lumière", "Boutique Express"]


def test_the_picker_filters_by_category_and_name(owner, draft, catalogue):
    client = login(owner)
    url = reverse("providers:pick_provider", args=[draft.pk])
    html = client.get(url, {"departement": "69", "category": "ecommerce"}).content.decode()
    assert names(html, catalogue) == ["Boutique Express"]
    html = client.get(url, {"departement": "69", "category": "", "q": "lumiere"}).content.decode()
    assert names(html, catalogue) == ["Atelier Web Lumière"]


def test_the_picker_searches_every_departement_when_asked(owner, draft, catalogue):
    html = (
        login(owner)
        .get(reverse("providers:pick_provider", args=[draft.pk]), {"departement": "", "category": "website"})
        .content.decode()
    )
    assert names(html, catalogue) == ["Atelier Web Lumière", "Breizh Numérique"]


def test_choosing_a_provider_fills_the_draft_and_keeps_the_rest(owner, draft, catalogue):
    draft.project_description = "Un site pour la boulangerie."
    draft.save()
    response = login(owner).post(
        reverse("providers:pick_provider", args=[draft.pk]), {"provider": catalogue["web"].pk}
    )
    assert (
        response.status_code == 302
        and response["Location"] == reverse("vouchers:edit", args=[draft.pk]) + "#prestataire"
    )
    draft.refresh_from_db()
    assert draft.provider == catalogue["web"]
    assert draft.project_description == "Un site pour la boulangerie."
    page = login(owner).get(response["Location"]).content.decode()
    assert "Atelier Web Lumière" in page


@pytest.mark.parametrize("which", ["lapsed", "refused"])
def test_a_provider_that_may_not_be_chosen_is_refused(which, owner, draft, catalogue):
    response = login(owner).post(
        reverse("providers:pick_provider", args=[draft.pk]), {"provider": catalogue[which].pk}
    )
    assert response.status_code == 400
    assert "Choisissez un prestataire habilité dans la liste." in response.content.decode()
    assert Application.objects.get(pk=draft.pk).provider is None


def test_nobody_else_picks_a_provider_for_the_draft(draft, other_owner, advisor, manager, catalogue):
    url = reverse("providers:pick_provider", args=[draft.pk])
    for user in (other_owner, advisor, manager):
        assert login(user).get(url).status_code in (403, 404)
        assert login(user).post(url, {"provider": catalogue["web"].pk}).status_code in (403, 404)
    assert Application.objects.get(pk=draft.pk).provider is None


def test_a_submitted_file_keeps_its_provider(owner, draft, catalogue, scheme):
    Application.objects.filter(pk=draft.pk).update(state="submitted")
    url = reverse("providers:pick_provider", args=[draft.pk])
    response = login(owner).post(url, {"provider": catalogue["web"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("vouchers:detail", args=[draft.pk])
    assert Application.objects.get(pk=draft.pk).provider is None


# --- the quote request --------------------------------------------------------------------------


def test_the_quote_form_offers_the_providers_of_the_companys_departement(owner, draft, catalogue):
    html = login(owner).get(reverse("providers:application_quotes", args=[draft.pk])).content.decode()
    assert names(html, catalogue) == ["Atelier Web Lumière"]
    assert '<option value="69" selected>' in html


def test_the_quote_form_filters_and_asks_the_providers_found(owner, draft, catalogue):
    client = login(owner)
    url = reverse("providers:application_quotes", args=[draft.pk])
    query = {"departement": "", "category": "website", "q": "breizh"}
    html = client.get(url, query).content.decode()
    assert names(html, catalogue) == ["Breizh Numérique"]
    response = client.post(
        f"{url}?departement=&category=website&q=breizh",
        {"category": "website", "description": "Un site vitrine.", "providers": [catalogue["brittany"].pk]},
    )
    assert response.status_code == 302
    assert list(QuoteRequest.objects.get().quotes.values_list("provider__name", flat=True)) == [
        "Breizh Numérique"
    ]


def test_the_quote_form_refuses_a_provider_that_may_not_be_asked(owner, draft, catalogue):
    response = login(owner).post(
        reverse("providers:application_quotes", args=[draft.pk]),
        {"category": "website", "description": "Un site vitrine.", "providers": [catalogue["lapsed"].pk]},
    )
    assert response.status_code == 200
    assert not QuoteRequest.objects.exists()
