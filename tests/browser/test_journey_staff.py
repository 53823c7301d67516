"""The staff's journeys in a real browser: the advisor decides, the manager pays, the auditor reads, the
provider answers a quote request. Each role's main page is shot at 1280 and 375 px."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, ProviderFactory, UserFactory, pdf_file
from tests.payments.flows import approved_application, claim_approved_application
from tests.providers.conftest import REVERSIBILITY, make_offer
from tremplin.payments.models import PaymentBatch
from tremplin.providers import quotes
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser

PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"


def follow_menu(page, name):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name).click()


def shoot_at_both_widths(page, screenshot, label):
    screenshot(label)
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(f"{label}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def open_from_queue(page, screenshot, application):
    follow_menu(page, "File d'instruction")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers à instruire")
    screenshot(f"file-{application.reference}")
    page.get_by_role("link", name=application.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {application.reference}")


def act(page, screenshot, button, label):
    page.get_by_role("button", name=button).click()
    screenshot(label)


def test_advisor_approves_a_file_then_a_payment_claim(page, log_in, screenshot, advisor, draft, scheme):
    submitted = services.submit(draft.owner, draft)
    claimed = approved_application(scheme, advisor)
    services.submit_claim(
        claimed.owner,
        claimed,
        invoice=pdf_file("facture.pdf"),
        proof_of_payment=pdf_file("virement.pdf"),
        invoiced_spend_cents=400_000,
    )

    log_in(advisor)
    follow_menu(page, "File d'instruction")
    expect(page.get_by_role("row").filter(has_text=submitted.reference)).to_be_visible()
    shoot_at_both_widths(page, screenshot, "file-d-instruction")

    page.get_by_role("link", name=submitted.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {submitted.reference}")
    shoot_at_both_widths(page, screenshot, "dossier-depose")
    act(page, screenshot, "Je prends ce dossier", "dossier-pris")
    ask = page.locator("section", has=page.get_by_role("heading", name="Demander des informations"))
    ask.get_by_label("Ce que vous demandez à l'entreprise").fill("Envoyez le devis signé, s'il vous plaît.")
    act(page, screenshot, "Envoyer la demande", "informations-demandees")
    expect(page.get_by_text("Votre demande d'informations est envoyée")).to_be_visible()
    assert Application.objects.get(pk=submitted.pk).state == State.INFO_REQUESTED

    services.answer_info(draft.owner, Application.objects.get(pk=submitted.pk), "Voici le devis signé.")
    page.reload()
    expect(page.get_by_text("Voici le devis signé.", exact=True)).to_be_visible()
    act(page, screenshot, "Accorder le chèque", "cheque-accorde")
    expect(page.get_by_text("Le chèque est accordé.")).to_be_visible()
    assert Application.objects.get(pk=submitted.pk).state == State.APPROVED
    letter = page.get_by_role("link", name="Lettre de décision (PDF)")
    response = page.request.get(letter.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")

    open_from_queue(page, screenshot, claimed)
    screenshot("demande-de-paiement")
    page.get_by_role("button", name="Je vérifie cette demande").click()
    # A plain PDF: the advisor is told to check it by hand, never that an e-invoice was read.
    expect(page.get_by_role("heading", name="Facture à vérifier à la main")).to_be_visible()
    expect(page.get_by_text("La facture électronique (Factur-X) a été lue")).to_have_count(0)
    shoot_at_both_widths(page, screenshot, "facture-en-verification")
    act(page, screenshot, "Valider le paiement", "paiement-valide")
    expect(page.get_by_text("Le paiement est validé")).to_be_visible()
    assert Application.objects.get(pk=claimed.pk).state == State.CLAIM_APPROVED


def test_manager_previews_creates_downloads_and_pays_a_batch(page, log_in, screenshot, manager, scheme):
    advisor = UserFactory(advisor=True)
    waiting = [claim_approved_application(scheme, advisor) for _ in range(2)]

    log_in(manager)
    # The budget page, by its address until the managers' menu links to it (provider-pick adds the link).
    page.goto(reverse("vouchers:scheme", args=[scheme.slug]))
    expect(page.get_by_role("table", name="Budget par région")).to_be_visible()
    shoot_at_both_widths(page, screenshot, "budget")

    follow_menu(page, "Paiements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiements")
    shoot_at_both_widths(page, screenshot, "paiements")

    page.get_by_role("link", name=f"Préparer un lot de virements pour {scheme.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lot de virements à venir")
    for application in waiting:
        expect(page.get_by_role("row").filter(has_text=application.reference)).to_be_visible()
    shoot_at_both_widths(page, screenshot, "apercu")
    assert not PaymentBatch.objects.exists()

    page.get_by_role("button", name="Créer le lot de 2 virements").click()
    batch = PaymentBatch.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(batch.message_id)
    shoot_at_both_widths(page, screenshot, "lot")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le fichier SEPA").click()
    download = download_info.value
    assert download.suggested_filename == batch.filename
    root = ElementTree.parse(download.path()).getroot()
    assert root.tag == f"{{{PAIN_001}}}Document"
    assert root[0].tag == f"{{{PAIN_001}}}CstmrCdtTrfInitn"

    page.get_by_text("Je confirme que la banque a exécuté ce fichier").click()  # DSFR draws the box over it
    act(page, screenshot, "Marquer comme payé", "lot-paye")
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.PAID
    assert {a.state for a in Application.objects.filter(pk__in=[a.pk for a in waiting])} == {State.PAID}


def test_auditor_reads_payments_and_a_file_without_any_action(page, log_in, screenshot, auditor, scheme):
    from tremplin.payments import services as payments

    advisor = UserFactory(advisor=True)
    paid = claim_approved_application(scheme, advisor)
    batch = payments.create_batch(UserFactory(manager=True), scheme)

    log_in(auditor)
    follow_menu(page, "Paiements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paiements")
    expect(page.get_by_role("link", name="Préparer un lot de virements")).to_have_count(0)
    shoot_at_both_widths(page, screenshot, "paiements")

    page.get_by_role("link", name=batch.message_id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(batch.message_id)
    expect(page.get_by_role("button", name="Marquer comme payé")).to_have_count(0)
    shoot_at_both_widths(page, screenshot, "lot")

    page.get_by_role("link", name=paid.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {paid.reference}")
    expect(page.get_by_role("heading", name="Ce que vous pouvez faire")).to_have_count(0)
    expect(page.locator("main form button[type=submit]")).to_have_count(0)
    shoot_at_both_widths(page, screenshot, "dossier")


def test_provider_answers_a_quote_request_and_adds_an_offer(
    page, log_in, audit, screenshot, owner, scheme, rhone
):
    draft = ApplicationFactory(scheme=scheme, owner=owner, provider=None, quote="", planned_spend_cents=None)
    provider = ProviderFactory(name="Atelier Web Lumière")
    make_offer(provider, "website", departements=[rhone])
    member = UserFactory(provider_member=True, provider=provider)
    quotes.request_quotes(owner, draft, [provider], "website", "Un site vitrine pour la boulangerie.")

    log_in(member)
    follow_menu(page, "Mon espace prestataire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Web Lumière")
    shoot_at_both_widths(page, screenshot, "espace")

    page.get_by_role("link", name=draft.company.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Répondre à une demande de devis")
    expect(page.get_by_text("Un site vitrine pour la boulangerie.")).to_be_visible()
    page.get_by_label("Catégorie de votre offre").select_option(label="Site internet")
    page.get_by_label("Montant total HT (€)").fill("2 400")
    page.get_by_label("Devis (PDF, 10 Mo au plus)").set_input_files(
        files=[{"name": "devis.pdf", "mimeType": "application/pdf", "buffer": pdf_file().read()}]
    )
    page.get_by_label("Message à l'entreprise").fill("Nous pouvons commencer début mars.")
    shoot_at_both_widths(page, screenshot, "reponse")
    page.get_by_role("button", name="Envoyer mon devis").click()
    screenshot("devis-envoye")

    quote = draft.quote_requests.get().quotes.get()
    assert quote.amount_cents == 240_000 and quote.message == "Nous pouvons commencer début mars."

    page.goto(reverse("providers:offers"))
    expect(page.get_by_role("heading", level=2, name="Offre website")).to_be_visible()  # no h3 before an h2
    audit()
    page.get_by_role("link", name="Ajouter une offre").click()
    page.get_by_label("Intitulé de l'offre").fill("Boutique en ligne")
    page.get_by_label("Catégorie").select_option(value="ecommerce")
    page.get_by_label("Prix minimal HT (€)").fill("1 500")
    page.get_by_label("Prix maximal HT (€)").fill("4 000")
    page.get_by_label("Délai de réalisation (jours)").fill("30")
    page.get_by_label("Engagement de réversibilité").fill(REVERSIBILITY)
    page.get_by_role("group", name="Auvergne-Rhône-Alpes").get_by_text("Rhône (69)").click()
    screenshot("nouvelle-offre")
    page.get_by_role("button", name="Enregistrer l'offre").click()
    expect(page.get_by_text("L'offre est enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Boutique en ligne")).to_be_visible()
    shoot_at_both_widths(page, screenshot, "offres")
    assert provider.offers.filter(title="Boutique en ligne", departements=rhone).exists()
