"""A business in a real browser: from the home page to a request for an advisor's help, without an account."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import VALID_SIRENS, CompanyFactory
from tests.network.conftest import make_advisor
from tremplin.network import services
from tremplin.network.models import Request, Theme

pytestmark = pytest.mark.browser


def shoot_at_both_widths(page, screenshot, label):
    screenshot(label)
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(f"{label}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_visitor_asks_an_advisor_for_help_from_the_home_page(page, screenshot, rhone, advisor):
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand", departement=rhone)
    website = Theme.objects.create(code="site-internet", label="Site internet")
    lyon = make_advisor(
        advisor.organisation, departements=[rhone], themes=[website], email="conseil@cci.example.fr"
    )

    page.goto("/")
    shoot_at_both_widths(page, screenshot, "accueil")
    page.get_by_role("link", name="Demander l'aide d'un conseiller").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander l'aide d'un conseiller")
    page.get_by_label("Numéro SIREN ou SIRET de votre entreprise").fill("732 829 320")
    page.get_by_label("Votre adresse électronique").fill("camille@fromagerie-durand.example.fr")
    page.get_by_label("Votre numéro de téléphone (facultatif)").fill("06 12 34 56 78")
    page.get_by_label("Votre sujet").select_option(label="Site internet")
    page.get_by_label("Votre besoin").fill("Nous voulons vendre nos fromages en ligne.")
    shoot_at_both_widths(page, screenshot, "formulaire")

    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
    request = Request.objects.get()
    expect(page.get_by_text(f"Votre demande {request.reference} est enregistrée")).to_be_visible()
    shoot_at_both_widths(page, screenshot, "demande-envoyee")

    assert (request.company, request.phone) == (company, "0612345678")
    assert [match.advisor for match in request.matches.all()] == [lyon]
    confirmations = [m for m in mail.outbox if m.to == ["camille@fromagerie-durand.example.fr"]]
    assert len(confirmations) == 1 and request.reference in confirmations[0].subject


def test_the_advisor_calls_the_business_and_takes_its_request(page, log_in, screenshot, rhone, advisor):
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand", departement=rhone)
    website = Theme.objects.create(code="site-internet", label="Site internet")
    lyon = make_advisor(
        advisor.organisation, departements=[rhone], themes=[website], email="conseil@cci.example.fr"
    )
    request = services.create_request(
        siret=company.siren,
        email="camille@fromagerie-durand.example.fr",
        phone="06 12 34 56 78",
        theme_code=website.code,
        description="Nous voulons vendre nos fromages en ligne.",
    ).request
    mail.outbox.clear()

    log_in(lyon)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Demandes d'accompagnement"
    ).click()
    shoot_at_both_widths(page, screenshot, "demandes")
    page.get_by_role("link", name="Fromagerie Durand").click()
    expect(page.get_by_role("link", name="06 12 34 56 78")).to_have_attribute("href", "tel:0612345678")
    expect(page.get_by_text(request.reference)).to_be_visible()
    shoot_at_both_widths(page, screenshot, "demande")

    page.get_by_role("button", name="Prise en charge").click()
    expect(page.get_by_text("La mise en relation est à jour.")).to_be_visible()
    shoot_at_both_widths(page, screenshot, "prise-en-charge")
    assert [m.to for m in mail.outbox] == [["camille@fromagerie-durand.example.fr"]]
    assert "CCI Lyon Métropole" in mail.outbox[0].body
