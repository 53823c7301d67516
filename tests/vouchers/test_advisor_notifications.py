"""Advisors are told what waits for them, by email, as their notification preference says.

A new file in their territory, the owner's answer to their question, a claim, a contest, and a file
nearing the scheme's review time target. The file's advisor is the one it is assigned to, else every
advisor covering the company's département; advisors of other territories hear nothing.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory, held_for_authority_check, pdf_file, verified_by_registry
from tremplin.core.models import AuditEvent, NotificationFrequency, PendingNotification
from tremplin.core.notifications import send_digests
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_to(sent):
    """`sent_to(action, *args)`: run the action, commit, and return {recipient: [subjects]} of its emails."""

    def run(*args, **kwargs):
        by_recipient = {}
        for message in sent(*args, **kwargs):
            for address in message.to:
                by_recipient.setdefault(address, []).append(message.subject)
        return by_recipient

    return run


@pytest.fixture
def colleague(advisor):
    """Another advisor of the same organisation, covering the Rhône too."""
    return UserFactory(
        advisor=True,
        organisation=advisor.organisation,
        email="chloe.lefevre@cci-lyon.example.fr",
        first_name="Chloé",
        last_name="Lefèvre",
    )


def body_to(address):
    return next(m.body for m in mail.outbox if address in m.to)


def lottery_file(scheme, draft):
    """The draft submitted to a lottery whose window has closed, ready for the draw."""
    scheme.allocation = scheme.Allocation.LOTTERY
    scheme.save()
    services.submit(draft.owner, draft)
    scheme.window_closes_at = timezone.now() - timedelta(hours=1)
    scheme.save()
    return Application.objects.get(pk=draft.pk)


# --- a new file ------------------------------------------------------------------------------------


def test_a_new_file_emails_the_advisors_of_its_territory_and_no_other(sent_to, draft, advisor, other_advisor):
    received = sent_to(services.submit, draft.owner, draft)
    draft.refresh_from_db()
    assert received[advisor.email] == [f"Nouvelle demande {draft.reference} à instruire"]
    assert other_advisor.email not in received
    # The owner's own email is unchanged.
    assert received[draft.owner.email] == [f"Votre demande {draft.reference} est déposée"]
    body = body_to(advisor.email)
    assert draft.company.display_name in body
    assert f"http://127.0.0.1:8000/dossiers/{draft.pk}/" in body


def test_a_waitlisted_file_is_announced_with_its_place(sent_to, draft, scheme, advisor):
    scheme.envelopes.update(total_cents=100_000)
    received = sent_to(services.submit, draft.owner, draft)
    draft.refresh_from_db()
    assert draft.state == State.WAITLISTED
    assert received[advisor.email] == [f"Nouvelle demande {draft.reference} en liste d'attente"]
    assert "liste d'attente" in body_to(advisor.email)


def test_a_file_held_for_the_authority_check_asks_the_advisors_to_check_it(
    sent_to, scheme, company, other_owner, advisor
):
    received = sent_to(held_for_authority_check, scheme, other_owner, company)
    app = Application.objects.get(company=company)
    assert app.state == State.AUTHORITY_CHECK
    assert received[advisor.email] == [f"Nouvelle demande {app.reference} : pièces à vérifier"]
    assert "extrait du registre" in body_to(advisor.email)


def test_a_lottery_file_waiting_for_the_draw_is_not_announced(sent_to, draft, scheme, advisor):
    scheme.allocation = scheme.Allocation.LOTTERY
    scheme.save()
    received = sent_to(services.submit, draft.owner, draft)
    assert advisor.email not in received and draft.owner.email in received


def test_a_file_funded_by_the_draw_is_announced_to_the_advisors(
    sent_to, draft, scheme, advisor, other_advisor, manager
):
    app = lottery_file(scheme, draft)
    received = sent_to(services.draw_lottery, manager, scheme, "graine-publiee")
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED
    assert received[advisor.email] == [f"Demande {app.reference} financée : à instruire"]
    assert other_advisor.email not in received
    assert "tirage au sort" in body_to(advisor.email)


def test_a_file_left_on_the_waiting_list_by_the_draw_is_not_announced(
    sent_to, draft, scheme, advisor, manager
):
    app = lottery_file(scheme, draft)
    scheme.envelopes.update(total_cents=100_000)
    received = sent_to(services.draw_lottery, manager, scheme, "graine-publiee")
    assert Application.objects.get(pk=app.pk).state == State.WAITLISTED
    assert advisor.email not in received


def test_a_file_promoted_from_the_waiting_list_is_announced_to_the_advisors(
    sent_to, draft, scheme, advisor, other_owner
):
    from tests.factories import ApplicationFactory, CompanyFactory

    scheme.envelopes.update(total_cents=200_000)
    first = services.submit(draft.owner, draft)
    waiting = ApplicationFactory(
        scheme=scheme, owner=other_owner, company=CompanyFactory(siren="542051180"), provider=draft.provider
    )
    waiting = services.submit(other_owner, waiting)
    assert waiting.state == State.WAITLISTED
    first = services.start_review(advisor, first)
    received = sent_to(services.reject, advisor, first, "not_eligible", "Hors cible.")
    assert Application.objects.get(pk=waiting.pk).state == State.SUBMITTED
    assert received[advisor.email] == [f"Demande {waiting.reference} financée : à instruire"]
    assert "liste d'attente" in body_to(advisor.email)


def test_a_daily_digest_advisor_finds_the_new_file_in_the_digest(sent_to, draft, advisor):
    advisor.notification_frequency = NotificationFrequency.DAILY
    advisor.save()
    received = sent_to(services.submit, draft.owner, draft)
    assert advisor.email not in received
    draft.refresh_from_db()
    received = sent_to(send_digests, NotificationFrequency.DAILY, timezone.now())
    assert list(received) == [advisor.email]
    assert f"Nouvelle demande {draft.reference} à instruire" in body_to(advisor.email)


def test_an_advisor_who_wants_no_email_gets_none(sent_to, draft, advisor):
    advisor.notification_frequency = NotificationFrequency.NONE
    advisor.save()
    received = sent_to(services.submit, draft.owner, draft)
    assert advisor.email not in received
    assert not PendingNotification.objects.filter(user=advisor).exists()


def test_an_inactive_advisor_is_not_emailed(sent_to, draft, advisor):
    advisor.is_active = False
    advisor.save()
    assert advisor.email not in sent_to(services.submit, draft.owner, draft)


# --- the owner's answer, the claim ---------------------------------------------------------------


@pytest.fixture
def asked(under_review, advisor):
    return services.request_info(advisor, under_review, "Merci de joindre un devis signé.")


def test_the_owners_answer_reaches_the_assigned_advisor_only(sent_to, asked, advisor, colleague):
    received = sent_to(services.answer_info, asked.owner, asked, "Voici le devis signé.")
    assert received[advisor.email] == [f"Dossier {asked.reference} : l'entreprise a répondu"]
    assert colleague.email not in received
    assert "Voici le devis signé." in body_to(advisor.email)


def test_an_answer_on_an_unassigned_file_reaches_the_territorys_advisors(
    sent_to, asked, advisor, colleague, other_advisor
):
    Application.objects.filter(pk=asked.pk).update(assigned_advisor=None)
    received = sent_to(services.answer_info, asked.owner, asked, "Voici le devis signé.")
    assert advisor.email in received and colleague.email in received
    assert other_advisor.email not in received


@pytest.fixture
def claim_asked(approved, advisor):
    services.submit_claim(approved.owner, approved, pdf_file("f.pdf"), pdf_file("p.pdf"), 400_000)
    app = services.start_claim_review(advisor, Application.objects.get(pk=approved.pk))
    return services.request_claim_info(advisor, app, "Merci de joindre le relevé bancaire.")


def test_the_owners_answer_on_the_claim_reaches_the_assigned_advisor(sent_to, claim_asked, advisor):
    received = sent_to(services.answer_claim_info, claim_asked.owner, claim_asked, "Le relevé est joint.")
    assert received[advisor.email] == [f"Dossier {claim_asked.reference} : l'entreprise a répondu"]
    assert "Le relevé est joint." in body_to(advisor.email)


def test_a_claim_is_announced_to_the_files_advisor(sent_to, approved, advisor, colleague):
    received = sent_to(
        services.submit_claim, approved.owner, approved, pdf_file("f.pdf"), pdf_file("p.pdf"), 400_000
    )
    assert received[advisor.email] == [f"Dossier {approved.reference} : demande de paiement à vérifier"]
    assert colleague.email not in received
    assert approved.owner.email not in received


# --- a contest -----------------------------------------------------------------------------------


def test_a_contest_is_announced_to_the_advisors_and_still_to_the_applicant(
    sent_to, scheme, owner, other_owner, company, advisor, other_advisor
):
    app = held_for_authority_check(scheme, other_owner, company)
    verified_by_registry(owner, company)
    received = sent_to(services.contest, owner, company, "Je n'ai jamais fait cette demande.")
    assert received[advisor.email] == [f"Dossier {app.reference} contesté par le représentant légal"]
    assert received[app.owner.email] == [f"Votre demande {app.reference} est suspendue"]
    assert other_advisor.email not in received
    assert "Je n'ai jamais fait cette demande." in body_to(advisor.email)


# --- the review time target --------------------------------------------------------------------


def test_a_file_nearing_its_review_target_is_reminded_once_and_audited(
    sent_to, submitted, scheme, advisor, other_advisor, time_machine
):
    deadline = timezone.localdate(submitted.submitted_at) + timedelta(days=scheme.review_sla_days)
    early = deadline - timedelta(days=services.REVIEW_REMINDER_DAYS + 1)
    assert sent_to(services.send_review_reminders, on=early) == {}
    on = deadline - timedelta(days=services.REVIEW_REMINDER_DAYS)
    received = sent_to(services.send_review_reminders, on=on)
    assert received == {
        advisor.email: [f"Dossier {submitted.reference} : délai d'instruction bientôt dépassé"]
    }
    assert deadline.strftime("%d/%m/%Y") in body_to(advisor.email)
    event = AuditEvent.objects.for_object(submitted).get(action="review_reminder")
    assert event.actor is None
    # Once per file, even when the job runs again, or late.
    assert sent_to(services.send_review_reminders, on=on) == {}
    assert sent_to(services.send_review_reminders, on=deadline + timedelta(days=3)) == {}


def test_a_file_already_overdue_when_the_job_first_runs_is_reminded_once(sent_to, submitted, scheme, advisor):
    deadline = timezone.localdate(submitted.submitted_at) + timedelta(days=scheme.review_sla_days)
    late = deadline + timedelta(days=10)
    received = sent_to(services.send_review_reminders, on=late)
    assert received == {advisor.email: [f"Dossier {submitted.reference} : délai d'instruction dépassé"]}
    assert f"a pris fin le {deadline:%d/%m/%Y}" in body_to(advisor.email)
    assert AuditEvent.objects.for_object(submitted).filter(action="review_reminder").count() == 1
    assert sent_to(services.send_review_reminders, on=late + timedelta(days=1)) == {}


def test_the_review_reminder_goes_to_the_assigned_advisor(sent_to, under_review, scheme, advisor, colleague):
    on = timezone.localdate() + timedelta(days=scheme.review_sla_days)
    received = sent_to(services.send_review_reminders, on=on)
    assert list(received) == [advisor.email]


def test_a_decided_file_is_not_reminded(sent_to, approved, scheme):
    on = timezone.localdate() + timedelta(days=scheme.review_sla_days)
    assert sent_to(services.send_review_reminders, on=on) == {}


def test_the_daily_jobs_send_the_review_reminders(
    submitted, scheme, advisor, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now() + timedelta(days=scheme.review_sla_days))
    out = StringIO()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_daily_jobs", stdout=out)
    assert "1 review reminder(s) sent." in out.getvalue()
    assert [m.to for m in mail.outbox] == [[advisor.email]]
