"""The owner's way in a real browser: the SIREN typed once in the quick check, carried to the
application and the diagnostic, with the words of the programme explained where they appear."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD, VALID_SIRENS, CompanyFactory

pytestmark = pytest.mark.browser


def test_the_siren_of_the_quick_check_follows_the_owner_to_her_application_and_diagnostic(
    page, audit, screenshot, owner, scheme
):
    CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand")

    page.goto(reverse("core:home"))
    steps = page.locator("main ol").first.locator("li")
    expect(steps.first).to_contain_text("Faites le diagnostic numérique.")
    expect(steps.nth(1)).to_contain_text("Demandez le chèque avec un devis.")
    screenshot("accueil")
    page.get_by_label("Numéro SIREN ou SIRET").fill("732 829 320")
    page.get_by_role("button", name="Vérifier").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Éligibilité de Fromagerie Durand")

    # The bracket's word is explained by keyboard: the tooltip shows when its button has the focus.
    explain = page.get_by_role("button", name="Que veut dire « tranche d'effectifs » ?")
    explain.focus()
    tooltip = page.locator(f"#{explain.get_attribute('aria-describedby')}")
    expect(tooltip).to_contain_text("fourchette de salariés")
    expect(tooltip).to_be_visible()
    screenshot("verification")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("verification-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="J'ai déjà un compte").first.click()
    audit()
    page.get_by_label("Adresse électronique").fill(owner.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    # Logged in, she lands on her new application with the company already found.
    expect(page.get_by_role("heading", name="Fromagerie Durand")).to_be_visible()
    expect(page.get_by_label("Numéro SIREN ou SIRET")).to_have_value("732829320")
    expect(page.get_by_role("button", name="C'est mon entreprise : commencer ma demande")).to_be_visible()
    screenshot("demande")

    # The diagnostic, from the home page's steps: the same company, nothing typed again.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Accueil").click()
    audit()
    page.get_by_role("link", name="Faire le diagnostic numérique").click()
    expect(page.get_by_label("Numéro SIREN ou SIRET")).to_have_value("732829320")
    expect(page.get_by_role("heading", name="Fromagerie Durand")).to_be_visible()
    screenshot("diagnostic")
    page.get_by_role("button", name="C'est la bonne entreprise : commencer").click()
    expect(page).to_have_url(re.compile(r"/diagnostic/\d+/etape-1/$"))
    screenshot("diagnostic-etape-1")
