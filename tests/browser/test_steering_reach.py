"""The programme manager looks at the reach map in a real browser, on a desk and on a phone."""

import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, CompanyFactory, SchemeFactory, UserFactory
from tests.steering.test_reach import reference_departements
from tremplin.network.models import Action, ActionKind
from tremplin.registry.models import Departement
from tremplin.steering import stock_facts
from tremplin.vouchers.models import State

pytestmark = pytest.mark.browser


def shoot_at_both_widths(page, screenshot, label):
    screenshot(label)
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(f"{label}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_manager_reads_the_reach_map_and_its_table(page, log_in, audit, screenshot, manager):
    reference_departements()
    scheme = SchemeFactory(name="Chèque numérique 2026")
    advisor = UserFactory(advisor=True)
    rng = random.Random(12)
    # Companies in a dozen départements, some of them beneficiaries or reached, and none overseas.
    for code in ["69", "38", "01", "63", "35", "29", "56", "22", "13", "75", "59", "2A"]:
        departement = Departement.objects.get(code=code)
        for _ in range(rng.randint(4, 12)):
            company = CompanyFactory(departement=departement)
            draw = rng.random()
            if draw < 0.2:
                ApplicationFactory(scheme=scheme, company=company, state=State.PAID, standing=False)
            elif draw < 0.5:
                Action.objects.create(
                    kind=ActionKind.AWARENESS, advisor=advisor, company=company, on=timezone.localdate()
                )
    stock_facts.refresh()

    log_in(manager)
    page.goto("/pilotage/")
    audit()
    page.get_by_role("link", name="Portée").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portée du programme")
    expect(page.locator("svg.tn-reach-map g[role=img]")).to_have_count(101)
    expect(page.locator("#reach-summary")).to_contain_text("Portée la plus forte")
    expect(page.get_by_role("img", name="Guadeloupe (971) : aucune entreprise éligible")).to_have_count(1)
    shoot_at_both_widths(page, screenshot, "beneficiaires")

    page.get_by_label("Ce que montre la carte").select_option(label="Entreprises touchées par le programme")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Entreprises touchées pour 1 000 entreprises éligibles"
    )
    table = page.locator("#reach-table table")
    expect(table.locator("tbody tr")).to_have_count(101)
    shoot_at_both_widths(page, screenshot, "touchees")
    # On a phone the map fits the screen: no square falls off its right edge.
    page.set_viewport_size({"width": 375, "height": 812})
    box = page.locator("svg.tn-reach-map").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot("carte-375")
