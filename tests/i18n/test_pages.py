"""The voucher and payment pages are served in English when the visitor chose English, French otherwise."""

from datetime import date, timedelta
from html import unescape
from io import BytesIO

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    UserFactory,
    pdf_file,
    register_account,
    register_representative,
    verified_by_registry,
)
from tests.payments.flows import claim_approved_application
from tremplin.authority import services as authority
from tremplin.core.models import AuditEvent
from tremplin.diagnostics import services as diagnostics
from tremplin.payments import services as payments
from tremplin.registry.models import Company
from tremplin.schemes.models import EligibilityRule
from tremplin.vouchers import services
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200
    return response.content.decode()


def text(response):
    """The page with its entities decoded: form labels escape apostrophes, template texts do not."""
    return unescape(page(response))


# --- the owner's list of files --------------------------------------------------------------------


def test_owner_list_in_english(english, submitted):
    english.force_login(submitted.owner)
    html = page(english.get(reverse("vouchers:list")))
    assert '<html lang="en"' in html
    assert "My digital voucher applications" in html
    assert "Next step" in html
    assert "Submitted" in html  # the state badge
    assert "An advisor will review your application. You have nothing to do." in html
    assert "Mes demandes" not in html and "Déposée" not in html


def test_owner_list_in_french_by_default(client, submitted):
    client.force_login(submitted.owner)
    html = page(client.get(reverse("vouchers:list")))
    assert '<html lang="fr"' in html
    assert "Mes demandes de chèque numérique" in html
    assert "Déposée" in html
    assert "Un conseiller va examiner votre demande." in html


def test_owner_list_follows_the_browser_language(client, submitted):
    client.force_login(submitted.owner)
    html = page(client.get(reverse("vouchers:list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "My digital voucher applications" in html


# --- the draft form ---------------------------------------------------------------------------------


def test_draft_form_in_english(english, draft):
    english.force_login(draft.owner)
    html = page(english.get(reverse("vouchers:edit", args=[draft.pk])))
    assert "My digital voucher application" in html
    assert "Your business" in html and "Your project" in html  # fieldsets
    assert "Number of employees" in html  # a field label
    assert "Count employees in full-time equivalents." in html  # its help text
    assert "Choose the type of spending" in html and "Website" in html  # the spending categories
    assert "Save the draft" in html and "Submit my application" in html
    assert "Are you eligible?" in html
    assert "Nombre de salariés" not in html and "Enregistrer le brouillon" not in html


def test_autosave_status_sentences_are_in_english(english, draft):
    """The autosave script shows the sentences the page gives it: each one is in the page's language."""
    english.force_login(draft.owner)
    html = text(english.get(reverse("vouchers:edit", args=[draft.pk])))
    assert 'data-saving="Saving…"' in html
    assert 'data-saved="Draft saved at {time}."' in html
    assert 'data-failed="Automatic saving is not possible right now.' in html
    diagnostic, _created = diagnostics.start(draft.owner, draft.company)
    html = text(english.get(reverse("diagnostics:step", args=[diagnostic.pk, 1])))
    assert 'data-saving="Saving…"' in html
    assert 'data-saved="Answers saved at {time}."' in html
    assert "Enregistrement" not in html


def test_draft_form_in_french_by_default(client, draft):
    client.force_login(draft.owner)
    html = page(client.get(reverse("vouchers:edit", args=[draft.pk])))
    assert "Ma demande de chèque numérique" in html
    assert "Nombre de salariés" in html
    assert "Site internet" in html
    assert "Enregistrer le brouillon" in html and "Déposer ma demande" in html


def test_draft_form_errors_in_english(english, draft):
    english.force_login(draft.owner)
    response = english.post(
        reverse("vouchers:edit", args=[draft.pk]), {"declared_headcount": "trois", "_action": "save"}
    )
    html = page(response)
    assert "Some information needs correcting" in html
    assert "Enter a whole number, for example 3." in html


# --- the file page ----------------------------------------------------------------------------------


def test_file_page_in_english(english, submitted):
    english.force_login(submitted.owner)
    html = page(english.get(reverse("vouchers:detail", args=[submitted.pk])))
    assert f"Application {submitted.reference}" in html
    assert "Summary" in html and "Voucher amount" in html and "Provider" in html
    assert "History" in html and "Application submitted" in html  # the audit trail
    assert "Withdraw my application" in html  # an action form
    assert "Résumé" not in html and "Historique" not in html


def test_file_page_in_french_by_default(client, submitted):
    client.force_login(submitted.owner)
    html = page(client.get(reverse("vouchers:detail", args=[submitted.pk])))
    assert f"Dossier {submitted.reference}" in html
    assert "Résumé" in html and "Historique" in html and "Demande déposée" in html
    assert "Retirer ma demande" in html


def test_an_english_speaking_advisor_still_sends_french_emails_and_stores_french_reasons(
    english, submitted, advisor, django_capture_on_commit_callbacks
):
    """The services speak French: an English page must not put English into the emails or the audit trail."""
    english.force_login(advisor)
    url = reverse("vouchers:act", args=[submitted.pk, "start_review"])
    assert english.post(url).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(
            reverse("vouchers:act", args=[submitted.pk, "reject"]), {"reject-reason": "spend_not_eligible"}
        )
    assert response.status_code == 302
    html = page(english.get(response["Location"]))
    assert "The application is rejected. The business is notified by email." in html
    submitted.refresh_from_db()
    assert submitted.state == State.REJECTED
    event = AuditEvent.objects.for_object(submitted).filter(action="reject").get()
    assert event.reason.startswith("La dépense prévue n'est pas éligible")
    assert len(mail.outbox) == 1
    assert "Motif : La dépense prévue" in mail.outbox[0].body


def test_an_english_speaking_owner_s_submission_stores_its_eligibility_in_french(english, draft):
    """The page is English; the snapshot of the rules kept with the file is the programme's French."""
    english.force_login(draft.owner)
    response = english.post(reverse("vouchers:edit", args=[draft.pk]), {"_action": "submit"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    assert draft.eligibility[0]["label"] == "Entreprise active au répertoire SIRENE"
    assert draft.eligibility[0]["message"] == "L'entreprise est active au répertoire SIRENE."


def test_the_decision_letter_stays_french_for_an_english_speaking_owner(english, submitted, advisor):
    """An official document: its dates are written in French whatever the page's language."""
    services.approve(advisor, services.start_review(advisor, submitted))
    submitted.refresh_from_db()
    english.force_login(submitted.owner)
    response = english.get(reverse("vouchers:letter", args=[submitted.pk]))
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    decided = timezone.localdate(submitted.decided_at)
    with translation.override("fr"):
        french = date_format(decided, "j F Y")
    with translation.override("en"):
        english_date = date_format(decided, "j F Y")
    assert f"accordée le {french}" in " ".join(text.split())
    assert english_date not in text


# --- the advisor's queue ----------------------------------------------------------------------------


def test_advisor_queue_in_english(english, submitted, advisor):
    english.force_login(advisor)
    html = page(english.get(reverse("vouchers:queue")))
    assert "Applications to review" in html
    assert "1 application to handle" in html
    assert "submitted 0 days ago" in html
    assert "All statuses" in html and "Filter" in html
    assert "Dossiers à instruire" not in html


def test_advisor_queue_in_french_by_default(client, submitted, advisor):
    client.force_login(advisor)
    html = page(client.get(reverse("vouchers:queue")))
    assert "Dossiers à instruire" in html
    assert "1 dossier à traiter" in html
    assert "déposé il y a 0 jours" in html
    assert "Tous les états" in html and "Filtrer" in html


# --- the payments pages -----------------------------------------------------------------------------


@pytest.fixture
def batch(scheme, advisor, manager):
    claim_approved_application(scheme, advisor)
    return payments.create_batch(manager, scheme)


def test_payments_page_in_english(english, manager, batch):
    english.force_login(manager)
    html = page(english.get(reverse("payments:batches")))
    assert "Payments to prepare" in html
    assert "No approved claim is waiting for a transfer." in html
    assert "Transfer batches" in html and "Prepared batches" in html
    assert "Paiements à préparer" not in html


def test_payments_page_in_french_by_default(client, manager, batch):
    client.force_login(manager)
    html = page(client.get(reverse("payments:batches")))
    assert "Paiements à préparer" in html and "Lots de virements" in html


def test_schemes_and_budget_page_in_english(english, auditor, scheme):
    english.force_login(auditor)
    html = page(english.get(reverse("vouchers:schemes")))
    assert "Schemes and budget" in html and "Budget of the schemes" in html
    assert "Available" in html and "Committed" in html
    assert "Dispositifs et budget" not in html and "Disponible" not in html


def test_batch_page_in_english(english, manager, batch):
    english.force_login(manager)
    html = page(english.get(reverse("payments:batch", args=[batch.pk])))
    assert f"Transfer batch {batch.message_id}" in html
    assert "1 transfer, " in html and " in total" in html
    assert "Mark as paid" in html and "Cancel this batch" in html
    assert "I confirm that the bank has executed this transfer file." in html


def test_batch_page_in_french_by_default(client, manager, batch):
    client.force_login(manager)
    html = page(client.get(reverse("payments:batch", args=[batch.pk])))
    assert f"Lot de virements {batch.message_id}" in html
    assert "1 virement, " in html
    assert "Marquer comme payé" in html


def test_language_cookie_name_is_the_one_the_switch_sets():
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"


def test_the_registry_s_refusals_read_in_english(english, scheme):
    ceased = CompanyFactory(state=Company.State.CEASED)
    html = page(english.get(reverse("core:check"), {"siren": ceased.siren}))
    assert "This business is recorded as closed in the SIRENE register" in html
    html = page(english.get(reverse("core:check"), {"siren": "732829320"}))
    assert "This number is not in the business register (SIRENE)." in html


# --- who applies, the mandates, a file held for the applicant's authority ---------------------------


@pytest.fixture
def held(scheme, company):
    """A file whose applicant the register does not know: documents uploaded, held for an advisor."""
    register_representative(company, "Camille", "Martin")  # the real director
    stranger = UserFactory(email="alex.dupuis@example.fr", first_name="Alex", last_name="Dupuis")
    application = ApplicationFactory(scheme=scheme, owner=stranger, company=company, standing=False)
    register_account(application.iban, company.denomination)
    rep = authority.declare(
        stranger, company, capacity="representative", given_names="Alex", family_name="Dupuis",
        birth_date=date(1985, 6, 1),
    )  # fmt: skip
    authority.add_documents(
        stranger, rep, register_extract=pdf_file("kbis.pdf"),
        extract_issued_on=timezone.localdate() - timedelta(days=3), statement=pdf_file("attestation.pdf"),
    )  # fmt: skip
    return services.submit(stranger, application)


def test_who_applies_page_in_english(english, scheme, company):
    register_representative(company, "Camille", "Martin")
    stranger = UserFactory(first_name="Alex", last_name="Dupuis")
    draft = ApplicationFactory(scheme=scheme, owner=stranger, company=company, standing=False)
    authority.declare(
        stranger, company, capacity="representative", given_names="Alex", family_name="Dupuis",
        birth_date=date(1985, 6, 1),
    )  # fmt: skip
    english.force_login(stranger)
    html = text(english.get(reverse("vouchers:who_applies", args=[draft.pk])))
    assert "Who is applying" in html
    assert "We did not find your name among the business's legal representatives" in html
    assert "Upload the documents" in html and "Download the statement to sign (PDF)" in html
    assert "Business register extract less than 3 months old" in html and "Signed statement" in html
    assert "In what capacity do you act for this business?" in html
    assert "I am its legal representative (managing director, president…) or the sole trader" in html
    assert "Your date of birth" in html and "Check again" in html and "Back to my application" in html
    assert (
        "Qui fait la demande" not in html and "Déposer les pièces" not in html and "Vos prénoms" not in html
    )


def test_who_applies_page_in_french_by_default(client, draft):
    client.force_login(draft.owner)
    html = text(client.get(reverse("vouchers:who_applies", args=[draft.pk])))
    assert "Qui fait la demande" in html and "votre qualité pour agir est vérifiée" in html
    assert "Corriger ma déclaration" in html and "Vérifier à nouveau" in html


def test_mandates_page_in_english(english, scheme, company, owner):
    verified_by_registry(owner, company)
    authority.give_mandate(
        owner, company, holder_name="Sam Lefort", holder_email="sam.lefort@cabinet.example.fr",
        kind="accountant", valid_until=None,
    )  # fmt: skip
    english.force_login(owner)
    html = text(english.get(reverse("authority:mandates")))
    assert "My mandates" in html  # the title, and the main menu's link
    assert f"Mandates given for {company.display_name}" in html
    assert "Mandate holder" in html and "Chartered accountant" in html and "Active" in html
    assert "Withdraw the mandate of Sam Lefort" in html
    assert "Give a mandate" in html and "Their connection with the business" in html
    assert "I authorise this person to apply for and follow the digital voucher" in html
    assert "Mandates given to you" in html and "No mandate has been given to you." in html
    assert "Mes mandats" not in html and "Donner un mandat" not in html and "Expert-comptable" not in html


def test_mandates_page_in_french_by_default(client, company, owner):
    verified_by_registry(owner, company)
    client.force_login(owner)
    html = text(client.get(reverse("authority:mandates")))
    assert (
        "Mes mandats" in html
        and "Donner un mandat" in html
        and "Aucun mandat donné pour cette entreprise." in html
    )


def test_file_held_for_the_applicant_s_authority_in_english_for_its_owner(english, held):
    assert held.state == State.AUTHORITY_CHECK
    english.force_login(held.owner)
    html = text(english.get(reverse("vouchers:detail", args=[held.pk])))
    assert "Applicant's authority to be checked" in html  # the alert and the state badge
    assert "keeps its place in the order of arrival" in html
    assert "Applicant and bank account" in html and "Authority to act" in html
    assert (
        "Your documents are uploaded: an advisor is checking them." in html
        and "View or complete my documents" in html
    )
    assert "Account verified with the bank" in html
    assert "Qualité du demandeur" not in html and "Vos pièces" not in html and "Compte vérifié" not in html


def test_file_held_for_the_applicant_s_authority_in_english_for_the_advisor(english, held, advisor):
    english.force_login(advisor)
    html = text(english.get(reverse("vouchers:detail", args=[held.pk])))
    assert "No amount is reserved: check the applicant's documents (below), then confirm or refuse." in html
    assert "Awaiting verification" in html and "Register extract (PDF)" in html
    assert "declares: “I am its legal representative" in html
    # The two decisions, with the checklist the advisor ticks.
    assert "Confirm the applicant's authority" in html and "I confirm, from the documents" in html
    assert "The statement is signed, dated and names this business." in html
    assert "The documents do not show the authority to act" in html and "Reason, for the applicant" in html
    assert (
        "En attente de vérification" not in html and "Je confirme" not in html and "L'attestation" not in html
    )


def test_file_held_for_the_applicant_s_authority_in_french_by_default(client, held, advisor):
    client.force_login(advisor)
    html = text(client.get(reverse("vouchers:detail", args=[held.pk])))
    assert "Qualité du demandeur à vérifier" in html and "En attente de vérification" in html
    assert "Je confirme, sur pièces" in html


def test_the_limit_of_vouchers_per_business_is_stated_in_english(english, scheme):
    EligibilityRule.objects.create(
        scheme=scheme, kind="max_vouchers_per_company", params={"max": 2}, position=99
    )
    html = text(english.get(reverse("core:home")))
    assert (
        "Receive at most 2 voucher(s) from this scheme per business, over the scheme's whole duration."
        in html
    )
    assert "Recevoir au plus" not in html
    with translation.override("en"):
        assert EligibilityRule.Kind.MAX_VOUCHERS_PER_COMPANY.label == "Number of vouchers per business"
