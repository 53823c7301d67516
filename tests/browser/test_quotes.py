"""The business owner asks for a quote from her draft, reads the provider's answer and takes it."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, ProviderFactory, UserFactory, pdf_file
from tests.providers.conftest import make_offer
from tremplin.providers import quotes
from tremplin.providers.models import QuoteRequest

pytestmark = pytest.mark.browser


def test_owner_asks_a_quote_from_her_draft_and_takes_the_answer(
    page, log_in, screenshot, owner, scheme, rhone
):
    draft = ApplicationFactory(scheme=scheme, owner=owner, provider=None, quote="", planned_spend_cents=None)
    provider = ProviderFactory(name="Atelier Web Lumière")
    make_offer(provider, "website", departements=[rhone])
    member = UserFactory(provider_member=True, provider=provider)

    log_in(owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    page.get_by_role("link", name="Demander un devis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Devis du dossier")
    page.get_by_label("Catégorie de la prestation").select_option(label="Site internet")
    page.get_by_label("Votre besoin").fill("Un site vitrine avec la prise de commande de gâteaux.")
    page.get_by_text("Atelier Web Lumière").click()  # DSFR draws the checkbox over its label
    screenshot("demande")
    page.get_by_role("button", name="Envoyer la demande de devis").click()
    expect(page.get_by_text("Votre demande de devis est envoyée")).to_be_visible()

    quote = QuoteRequest.objects.get(application=draft).quotes.get()
    quotes.answer_quote(
        member,
        quote,
        amount_cents=240_000,
        category="website",
        file=ContentFile(pdf_file("devis.pdf").read(), name="devis.pdf"),
        message="Nous pouvons commencer début mars.",
    )
    page.reload()
    expect(page.get_by_text("Nous pouvons commencer début mars.")).to_be_visible()
    screenshot("devis-recu")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("devis-recu-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Choisir ce devis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de chèque numérique")
    expect(page.get_by_role("group", name=re.compile("^Prestataire"))).to_contain_text(provider.name)
    expect(page.get_by_role("textbox", name=re.compile("^Montant de la dépense prévue"))).to_have_value(
        "2 400"
    )
    screenshot("brouillon-avec-devis")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("brouillon-avec-devis-375")
