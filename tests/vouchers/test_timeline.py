"""The file's timeline in plain words: a sentence in French and English for every event the file can
record, the owner sees what concerns her, auditors and advisors see everything with who and when."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ApplicationFactory, UserFactory, pdf_file
from tremplin.core import audit
from tremplin.payments import services as payments
from tremplin.vouchers import assignment, services
from tremplin.vouchers.workflow import WORKFLOW

pytestmark = pytest.mark.django_db

# Every action a file's audit trail can hold, read from its workflow's declaration.
ACTIONS = sorted([*WORKFLOW.transitions, *WORKFLOW.events])
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # an action code such as add_to_payment_batch


def placeholders(text):
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("action", ACTIONS)
def test_every_event_of_a_file_has_a_sentence_in_french_and_in_english(action):
    with translation.override("fr"):
        french = str(WORKFLOW.event_label(action))
    with translation.override("en"):
        english = str(WORKFLOW.event_label(action))
    for text in (french, english):
        assert text and text != action and not CODE.search(re.sub(r"\{\w+\}", "", text)), (action, text)
        assert text[0].isupper(), (action, text)
    assert english != french, f"{action}: no English for « {french} »"
    assert placeholders(english) == placeholders(french)


def test_an_action_the_declaration_does_not_name_is_refused_on_a_file(draft):
    with pytest.raises(ValueError, match="rename_everything"):
        audit.record(draft, actor=draft.owner, action="rename_everything")


def test_the_declaration_names_every_action_the_services_write(draft, advisor):
    # Those written outside a transition, through audit.record: each one is declared, so labelled.
    assert {
        "create",
        "delete",
        "assign",
        "add_to_payment_batch",
        "confirm_payee",
        "change_bank_account",
        "expiry_reminder",
        "review_reminder",
    } <= set(WORKFLOW.events)


@pytest.fixture
def paid(scheme, advisor, manager):
    """A file given to a colleague of the advisor, who reviews it to its payment."""
    colleague = UserFactory(
        advisor=True, first_name="Bruno", last_name="Petit", organisation=advisor.organisation
    )
    draft = ApplicationFactory(scheme=scheme)
    application = services.submit(draft.owner, draft)
    assignment.assign(advisor, application, colleague)
    application = services.start_review(colleague, application)
    application = services.approve(colleague, application)
    services.submit_claim(
        application.owner,
        application,
        invoice=pdf_file("facture.pdf"),
        proof_of_payment=pdf_file("virement.pdf"),
        invoiced_spend_cents=400_000,
    )
    application = services.start_claim_review(colleague, application)
    application = services.approve_claim(colleague, application)
    batch = payments.create_batch(manager, application.scheme)
    payments.mark_batch_paid(manager, batch)
    application.refresh_from_db()
    application.batch = batch
    return application


def timeline(client, application):
    response = client.get(reverse("vouchers:detail", args=[application.pk]))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    start = html.index('id="historique"')
    return html[start : html.index("</ol>", start)]


def test_the_owner_reads_her_file_s_history_in_plain_words(client_for, paid):
    history = timeline(client_for(paid.owner), paid)
    assert "Demande déposée" in history
    assert "Chèque accordé" in history
    assert f"Dossier ajouté au lot de paiement n° {paid.batch.message_id}" in history
    assert "Paiement effectué" in history
    # What concerns the advisors only is not shown to her: to whom the file is given.
    assert "Dossier attribué" not in history
    assert not CODE.search(re.sub(r"<[^>]+>", " ", history))


def test_the_owner_does_not_read_the_advisor_s_internal_note(client_for, scheme, advisor):
    application = ApplicationFactory(scheme=scheme)
    application = services.submit(application.owner, application)
    application = services.start_review(advisor, application)
    application = services.approve(advisor, application, "Devis comparé à deux autres : prix du marché.")
    assert "prix du marché" not in timeline(client_for(application.owner), application)
    assert "prix du marché" in timeline(client_for(advisor), application)


def test_the_auditor_reads_every_event_with_who_and_when(client_for, auditor, paid, manager):
    history = timeline(client_for(auditor), paid)
    assert "Dossier attribué à Bruno Petit" in history
    assert f"Dossier ajouté au lot de paiement n° {paid.batch.message_id}" in history
    assert "Bruno Petit (Conseiller)" in history
    assert f"{manager.get_full_name()} (Gestionnaire du programme)" in history
    assert "Paiement validé → Payé" in history  # the states it moved between
    assert not CODE.search(re.sub(r"<[^>]+>", " ", history))


def test_the_timeline_is_in_english_on_an_english_page(client_for, auditor, paid):
    client = client_for(auditor)
    client.cookies["django_language"] = "en"
    history = timeline(client, paid)
    assert f"File added to payment batch no. {paid.batch.message_id}" in history
    assert "(Programme manager)" in history
    assert "Dossier ajouté" not in history
