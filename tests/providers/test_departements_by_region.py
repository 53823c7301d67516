"""The offer form's départements: ticked in groups by région, with "Toute la région", no Ctrl-click list."""

import re

import pytest
from django.urls import reverse

from tests.factories import DepartementFactory, RegionFactory
from tests.providers.conftest import REVERSIBILITY, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def bretagne(db):
    region = RegionFactory(code="53", name="Bretagne")
    for code, name in (
        ("22", "Côtes-d'Armor"),
        ("29", "Finistère"),
        ("35", "Ille-et-Vilaine"),
        ("56", "Morbihan"),
    ):
        DepartementFactory(code=code, name=name, region=region)
    return region


def offer_data(**overrides):
    return {
        "category": "ecommerce",
        "title": "Boutique en ligne clés en main",
        "price_min": "1 500",
        "price_max": "4 000",
        "delivery_days": "45",
        "reversibility": REVERSIBILITY,
        **overrides,
    }


def test_the_form_groups_the_departements_by_region_as_checkboxes(member, rhone, bretagne):
    page = login(member).get(reverse("providers:offer_new")).content.decode()
    assert "<select" not in page.split('name="departements"')[0][-300:]
    assert "Ctrl" not in page
    for name in ("Bretagne", "Auvergne-Rhône-Alpes"):
        assert re.search(rf"<legend[^>]*>\s*{name}\s*</legend>", page), name
    assert re.search(r'<input type="checkbox" name="departements" value="29"[^>]*>', page)
    # Bretagne has four départements and its "Toute la région" box; the test's Auvergne-Rhône-Alpes has one.
    assert page.count('name="departements_regions"') == 1
    assert 'name="departements_regions" value="53"' in page
    bretagne_group = page[page.index(">Bretagne<") : page.index(">Bretagne<") + 3000]
    assert "Toute la région" in bretagne_group and 'value="35"' in bretagne_group


def test_saving_a_whole_region_selects_its_departements(member, provider, rhone, bretagne):
    response = login(member).post(
        reverse("providers:offer_new"), offer_data(departements=["69"], departements_regions=["53"])
    )
    assert response.status_code == 302, response.content.decode()
    offer = provider.offers.get(category="ecommerce")
    assert sorted(offer.departements.values_list("code", flat=True)) == ["22", "29", "35", "56", "69"]


def test_a_whole_region_is_shown_ticked_when_the_offer_is_edited(member, provider, rhone, bretagne):
    client = login(member)
    client.post(reverse("providers:offer_new"), offer_data(departements_regions=["53"]))
    offer = provider.offers.get(category="ecommerce")
    page = client.get(reverse("providers:offer_edit", args=[offer.pk])).content.decode()
    assert re.search(r'<input type="checkbox" name="departements_regions" value="53"[^>]*checked', page)
    assert not re.search(r'<input type="checkbox" name="departements_regions" value="84"[^>]*checked', page)
    assert re.search(r'<input type="checkbox" name="departements" value="29"[^>]*checked', page)


def test_no_departement_at_all_is_refused_on_the_field(member, provider, rhone, bretagne):
    response = login(member).post(reverse("providers:offer_new"), offer_data())
    assert response.status_code == 200
    assert not provider.offers.filter(category="ecommerce").exists()
    assert "fr-fieldset--error" in response.content.decode()
