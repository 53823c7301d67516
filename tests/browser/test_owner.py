"""The business owner in a real browser: from the login form to her new draft."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import VALID_SIRENS, CompanyFactory, register_representative
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser


def test_owner_logs_in_and_starts_a_draft_from_her_siren(page, log_in, screenshot, owner, scheme):
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand")
    register_representative(company, "Camille", "Martin", "1980-04", "Gérante")

    log_in(owner)
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Nouvelle demande").click()
    page.get_by_label("Numéro SIREN ou SIRET").fill("732 829 320")
    page.get_by_role("button", name="Rechercher mon entreprise").click()
    expect(page.get_by_role("heading", name="Fromagerie Durand")).to_be_visible()

    # Who applies: her account's names are filled in, she says in what capacity and gives her birth date.
    expect(page.get_by_label("Vos prénoms")).to_have_value("Camille")
    expect(page.get_by_label("Votre nom de famille")).to_have_value("Martin")
    page.get_by_text("Je suis son représentant légal").click()  # DSFR draws the radio over its label
    expect(page.get_by_label("Je suis son représentant légal")).to_be_checked()
    page.get_by_label("Votre date de naissance").fill("1980-04-12")
    screenshot("entreprise-trouvee")

    page.get_by_role("button", name="C'est mon entreprise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de chèque numérique")
    expect(page.get_by_text("votre qualité pour agir est vérifiée")).to_be_visible()
    screenshot("brouillon")

    application = Application.objects.get()
    assert (application.owner, application.company, application.state) == (owner, company, State.DRAFT)
    assert page.url.endswith(reverse("vouchers:edit", args=[application.pk]))


def test_owner_deletes_her_draft(page, log_in, screenshot, draft):
    log_in(draft.owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    page.get_by_role("button", name="Supprimer ce brouillon").click()
    screenshot("suppression")
    page.get_by_role("button", name="Supprimer définitivement ce brouillon").click()
    expect(page.get_by_text("Votre brouillon est supprimé.")).to_be_visible()
    expect(page.get_by_text("Vous n'avez pas encore de demande.")).to_be_visible()
    assert not Application.objects.filter(pk=draft.pk).exists()
