"""Who applies, in a real browser: an applicant the register does not know sends documents, the file is
held with nothing reserved, and the advisor of the territory confirms with the checklist."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    VALID_SIRENS,
    CompanyFactory,
    ProviderFactory,
    UserFactory,
    pdf_bytes,
    register_account,
    register_representative,
)
from tests.providers.conftest import make_offer
from tremplin.schemes.models import Envelope
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser

PDF = pdf_bytes()
IBAN = "FR7630006000011234567890189"


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_an_applicant_not_in_the_register_is_held_until_the_advisor_confirms(
    page, log_in, audit, screenshot, scheme, advisor
):
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand")
    register_representative(company, "Jeanne", "Durand", "1962-05", "Gérante")  # the register's director
    register_account(IBAN, "Fromagerie Durand")
    provider = ProviderFactory(name="Agence Web Lumière")
    make_offer(provider, "website", departements=[company.departement])
    employee = UserFactory(email="alex.roux@example.fr", first_name="Alex", last_name="Roux")

    # The employee starts the file: the register does not list him.
    log_in(employee)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Nouvelle demande").click()
    audit()
    page.get_by_label("Numéro SIREN ou SIRET").fill(VALID_SIRENS[0])
    page.get_by_role("button", name="Rechercher mon entreprise").click()
    audit()
    page.get_by_text("Je suis son représentant légal").click()
    page.get_by_label("Votre date de naissance").fill("1990-02-03")
    page.get_by_role("button", name="C'est mon entreprise").click()
    who = page.get_by_role("region", name="Qui fait la demande")
    expect(
        who.get_by_text("Nous n'avons pas trouvé votre nom parmi les représentants légaux")
    ).to_be_visible()
    screenshot("brouillon-qualite-non-verifiee")

    # He sends the extract and the signed statement.
    page.get_by_role("link", name="Déposer les pièces").click()
    expect(page.get_by_role("link", name="Télécharger l'attestation à signer (PDF)")).to_be_visible()
    page.get_by_label("Extrait du registre des entreprises de moins de 3 mois").set_input_files(
        pdf("kbis.pdf")
    )
    page.get_by_label("Date de l'extrait").fill((timezone.localdate() - timedelta(days=8)).isoformat())
    page.get_by_label("Attestation signée").set_input_files(pdf("attestation.pdf"))
    screenshot("pieces")
    page.get_by_role("button", name="Enregistrer mes pièces").click()
    expect(page.get_by_text("Vos pièces sont déposées")).to_be_visible()

    # He completes the draft and submits it.
    page.get_by_label("Nombre de salariés").fill("3")
    page.get_by_label("Chiffre d'affaires du dernier exercice").fill("180 000")
    page.get_by_label("Aides « de minimis »").fill("0")
    # DSFR draws the radio over its label: he clicks the answer's label, as he would.
    page.get_by_role("group", name="Votre entreprise est-elle liée à d'autres entreprises ?").get_by_text(
        "Non", exact=True
    ).click()
    page.get_by_label("Type de dépense").select_option(label="Site internet")
    page.get_by_label("Votre projet en quelques phrases").fill("Un site pour vendre nos fromages en ligne.")
    page.get_by_role("button", name="Choisir un prestataire").click()  # saves what was typed first
    audit()
    page.get_by_role("button", name=f"Choisir {provider.name}").click()
    expect(page.get_by_text(f"Prestataire choisi : {provider.name}.")).to_be_visible()
    expect(page.get_by_label("Votre projet en quelques phrases")).to_have_value(
        "Un site pour vendre nos fromages en ligne."
    )
    page.get_by_label("Montant de la dépense prévue").fill("3 000")
    page.get_by_label("Devis du prestataire").set_input_files(pdf("devis.pdf"))
    page.get_by_label("IBAN du compte de l'entreprise").fill(IBAN)
    page.get_by_label("Titulaire du compte").fill("Fromagerie Durand")
    page.get_by_label("Relevé d'identité bancaire (RIB) du compte").set_input_files(pdf("rib.pdf"))
    page.get_by_role("button", name="Déposer ma demande").click()
    expect(page.get_by_role("heading", name="Qualité du demandeur à vérifier")).to_be_visible()
    screenshot("dossier-en-attente")

    application = Application.objects.get()
    envelope = Envelope.objects.get(scheme=scheme)
    assert (application.state, application.reserved_cents, envelope.committed_cents) == (
        State.AUTHORITY_CHECK,
        0,
        0,
    )
    assert application.payee_outcome == "match"

    # The advisor opens it from her queue, reads who applies, ticks the checklist and confirms.
    page.context.clear_cookies()
    log_in(advisor)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="File d'instruction"
    ).click()
    page.get_by_role("row").filter(has_text=application.reference).get_by_role(
        "link", name=application.reference, exact=True
    ).click()
    expect(page.get_by_text("Le registre ne permet pas de reconnaître cette personne")).to_be_visible()
    expect(page.get_by_role("link", name="Extrait du registre (PDF)")).to_be_visible()
    confirm = page.locator(
        "section", has=page.get_by_role("heading", name="Confirmer la qualité du demandeur")
    )
    for label in (
        "L'extrait du registre (Kbis",
        "Le demandeur figure",
        "L'attestation est signée,",
        "Le nom et la",
    ):
        confirm.locator("label", has_text=label).first.click()  # DSFR draws the checkbox over its label
    screenshot("conseillere-verifie")
    confirm.get_by_role("button", name="Je confirme, sur pièces").click()
    expect(page.get_by_text("La qualité du demandeur est confirmée")).to_be_visible()
    expect(page.get_by_text("Confirmée sur pièces par")).to_be_visible()
    screenshot("qualite-confirmee")

    application.refresh_from_db()
    envelope.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.reserved_cents == application.amount_cents == envelope.committed_cents == 150_000
