"""A provider in a real browser: the départements of an offer, ticked by région."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.providers.conftest import REVERSIBILITY
from tremplin.registry.reference import load_reference_data

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_a_provider_ticks_a_whole_region_for_an_offer(page, log_in, screenshot, width):
    load_reference_data()  # the 101 départements and their régions
    member = UserFactory(provider_member=True)
    log_in(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("providers:offer_new"))
    page.get_by_label("Intitulé de l'offre").fill("Boutique en ligne")
    page.get_by_label("Prix minimal HT (€)").fill("1 500")
    page.get_by_label("Prix maximal HT (€)").fill("4 000")
    page.get_by_label("Délai de réalisation (jours)").fill("30")
    page.get_by_label("Engagement de réversibilité").fill(REVERSIBILITY)

    bretagne = page.get_by_role("group", name="Bretagne", exact=True)
    bretagne.get_by_text("Toute la région").click()  # DSFR draws the box over its label
    for name in ("Côtes-d'Armor (22)", "Finistère (29)", "Ille-et-Vilaine (35)", "Morbihan (56)"):
        expect(bretagne.get_by_label(name)).to_be_checked()
    bretagne.get_by_text("Morbihan (56)").click()
    expect(bretagne.get_by_label("Toute la région")).not_to_be_checked()
    page.get_by_role("group", name="Auvergne-Rhône-Alpes").get_by_text("Rhône (69)").click()
    screenshot(f"departements-{width}")

    page.get_by_role("button", name="Enregistrer l'offre").click()
    expect(page.get_by_text("L'offre est enregistrée.")).to_be_visible()
    offer = member.provider.offers.get()
    assert sorted(offer.departements.values_list("code", flat=True)) == ["22", "29", "35", "69"]
