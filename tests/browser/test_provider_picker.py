"""Choosing a provider in a real browser: the draft saves what was typed, the picker filters the
accredited providers of the company's département, and the choice comes back to the draft; the
provider's départements are searched by name or number, with the keyboard."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    ProviderFactory,
    RegionFactory,
    UserFactory,
)
from tests.providers.conftest import make_offer
from tremplin.registry.reference import load_reference_data
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.browser


def test_the_owner_filters_the_providers_and_chooses_one_for_her_draft(
    page, log_in, screenshot, owner, scheme, rhone
):
    draft = ApplicationFactory(scheme=scheme, owner=owner, provider=None, quote="", planned_spend_cents=None)
    finistere = DepartementFactory(
        code="29", name="Finistère", region=RegionFactory(code="53", name="Bretagne")
    )
    make_offer(ProviderFactory(name="Atelier Web Lumière"), "website", departements=[rhone])
    make_offer(ProviderFactory(name="Boutique Express"), "ecommerce", departements=[rhone])
    make_offer(ProviderFactory(name="Breizh Numérique"), "website", departements=[finistere])

    log_in(owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    page.get_by_label("Votre projet en quelques phrases").fill("Un site pour prendre les commandes.")
    page.get_by_role("button", name="Choisir un prestataire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un prestataire")
    expect(page.get_by_label("Département où il intervient")).to_have_value("69")
    expect(page.get_by_role("heading", name="Atelier Web Lumière")).to_be_visible()
    expect(page.get_by_role("heading", name="Breizh Numérique")).to_have_count(0)
    screenshot("picker")

    page.get_by_label("Département où il intervient").select_option(value="")
    page.get_by_label("Nom du prestataire").fill("breizh")
    page.get_by_role("button", name="Filtrer les prestataires").click()
    expect(page.get_by_role("heading", name="Breizh Numérique")).to_be_visible()
    expect(page.get_by_role("heading", name="Atelier Web Lumière")).to_have_count(0)
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("picker-filtered-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Choisir Breizh Numérique").click()
    expect(page.get_by_text("Prestataire choisi : Breizh Numérique.")).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("^Prestataire"))).to_contain_text("Breizh Numérique")
    expect(page.get_by_label("Votre projet en quelques phrases")).to_have_value(
        "Un site pour prendre les commandes."
    )
    screenshot("draft-with-provider")
    assert Application.objects.get(pk=draft.pk).provider.name == "Breizh Numérique"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_provider_finds_a_departement_by_typing_with_the_keyboard(page, log_in, screenshot, width):
    load_reference_data()  # the 101 départements and their régions
    member = UserFactory(provider_member=True)
    log_in(member)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("providers:offer_new"))

    search = page.get_by_label("Rechercher un département")
    search.focus()
    page.keyboard.type("finist")
    expect(page.get_by_role("status").filter(has_text="département")).to_have_text("1 département affiché")
    expect(page.get_by_label("Finistère (29)")).to_be_visible()
    expect(page.get_by_label("Morbihan (56)")).to_be_hidden()
    expect(page.get_by_role("group", name="Auvergne-Rhône-Alpes")).to_be_hidden()
    page.keyboard.press("Enter")  # a search, not the offer's submission
    expect(page).to_have_url(re.compile(r"/espace/offres/nouvelle/$"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Finistère (29)")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Finistère (29)")).to_be_checked()
    screenshot(f"search-{width}")

    search.fill("69")
    expect(page.get_by_label("Rhône (69)")).to_be_visible()
    expect(page.get_by_label("Finistère (29)")).to_be_hidden()
    search.fill("zzz")
    expect(page.get_by_text("Aucun département ne correspond")).to_be_visible()
    search.focus()
    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(page.get_by_label("Morbihan (56)")).to_be_visible()
    expect(page.get_by_label("Finistère (29)")).to_be_checked()  # hiding never unticks
    search.fill("bretagne")  # a région's name shows all its départements, and "Toute la région"
    bretagne = page.get_by_role("group", name="Bretagne", exact=True)
    expect(bretagne.get_by_label("Morbihan (56)")).to_be_visible()
    expect(bretagne.get_by_label("Toute la région")).to_be_attached()
    screenshot(f"search-region-{width}")
