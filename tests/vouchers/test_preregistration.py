"""Pre-registration: drafts prepared and checked before submissions open, so opening day is one click."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory
from tremplin.authority.payee import Outcome
from tremplin.core.errors import Conflict
from tremplin.core.models import AuditEvent
from tremplin.schemes.models import Envelope, LedgerEntry, Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State


@pytest.fixture
def opening(db):
    """Submissions open in three days, at 9:00 local time; pre-registration started yesterday."""
    opens = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=3)
    return opens


@pytest.fixture
def prereg_scheme(opening):
    scheme = SchemeFactory(
        preregistration_opens_at=timezone.now() - timedelta(days=1),
        window_opens_at=opening,
        window_closes_at=opening + timedelta(days=60),
    )
    # The budget of the opening's year (and of this year, where the tests move the opening to now).
    for year in {opening.year, timezone.localdate().year}:
        EnvelopeFactory(scheme=scheme, year=year)
    return scheme


@pytest.fixture
def prereg_draft(prereg_scheme, owner, company):
    return ApplicationFactory(scheme=prereg_scheme, owner=owner, company=company)


def open_now(scheme):
    """Opening time has come (the pre-registration stays before it)."""
    Scheme.objects.filter(pk=scheme.pk).update(window_opens_at=timezone.now() - timedelta(seconds=1))


def envelope_of(scheme):
    return Envelope.objects.get(scheme=scheme, year=timezone.localdate().year)


# --- the scheme's dates -------------------------------------------------------------------------


def test_a_scheme_in_pre_registration_takes_drafts_but_no_submissions(prereg_scheme):
    assert prereg_scheme.in_preregistration()
    assert prereg_scheme.takes_drafts()
    assert not prereg_scheme.is_open()
    assert Scheme.objects.filter(Scheme.taking_drafts_filter()).get() == prereg_scheme


def test_a_scheme_without_pre_registration_takes_drafts_only_once_open(db):
    later = SchemeFactory(window_opens_at=timezone.now() + timedelta(days=3))
    assert not later.in_preregistration()
    assert not later.takes_drafts()
    assert not Scheme.objects.filter(Scheme.taking_drafts_filter()).exists()


def test_pre_registration_after_the_opening_is_refused_with_its_field(prereg_scheme):
    prereg_scheme.preregistration_opens_at = prereg_scheme.window_opens_at + timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        prereg_scheme.full_clean()
    assert refused.value.message_dict["preregistration_opens_at"] == [
        "La préinscription doit commencer avant l'ouverture des dépôts."
    ]


def test_the_database_refuses_a_pre_registration_after_the_opening_too(prereg_scheme):
    with pytest.raises(IntegrityError), transaction.atomic():
        Scheme.objects.filter(pk=prereg_scheme.pk).update(
            preregistration_opens_at=prereg_scheme.window_opens_at
        )


def test_the_manager_sets_the_pre_registration_in_the_scheme_admin(client, manager, prereg_scheme):
    client.force_login(manager)
    manager.is_staff = manager.is_superuser = True
    manager.save()
    response = client.get(reverse("admin:schemes_scheme_change", args=[prereg_scheme.pk]))
    assert response.status_code == 200
    assert 'name="preregistration_opens_at_0"' in response.content.decode()


# --- drafts and "Vérifier mon dossier" ----------------------------------------------------------


def test_an_owner_starts_a_draft_during_pre_registration(prereg_scheme, owner, company):
    application, created = services.create_draft(owner, prereg_scheme, company)
    assert created and application.state == State.DRAFT


def test_no_draft_before_the_pre_registration(prereg_scheme, owner, company):
    Scheme.objects.filter(pk=prereg_scheme.pk).update(
        preregistration_opens_at=timezone.now() + timedelta(hours=1)
    )
    prereg_scheme.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.create_draft(owner, prereg_scheme, company)
    assert refused.value.code == "scheme_closed"


def test_checking_a_complete_draft_stores_that_it_is_ready_and_reserves_nothing(prereg_draft, owner):
    application, problems = services.check_draft(owner, prereg_draft)

    assert problems == []
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.checked_at is not None
    assert application.queue_rank is None and application.reserved_cents == 0
    envelopes = Envelope.objects.filter(scheme=prereg_draft.scheme)
    assert {(e.committed_cents, e.receipt_counter) for e in envelopes} == {(0, 0)}
    assert not LedgerEntry.objects.filter(envelope__in=envelopes).exists()
    assert AuditEvent.objects.filter(object_id=str(application.pk), action="check_draft").count() == 1


def test_checking_also_asks_the_bank_about_the_account(prereg_draft, owner):
    Application.objects.filter(pk=prereg_draft.pk).update(payee_outcome="", payee_checked_at=None)
    application, _problems = services.check_draft(owner, prereg_draft)
    application.refresh_from_db()
    assert application.payee_outcome == Outcome.MATCH
    assert application.payee_checked_iban == application.iban


def test_checking_an_incomplete_draft_lists_every_gap_and_stores_nothing(prereg_draft, owner):
    Application.objects.filter(pk=prereg_draft.pk).update(quote="", planned_spend_cents=None)

    application, problems = services.check_draft(owner, prereg_draft)

    assert {(p.code, p.field) for p in problems} >= {("missing", "quote"), ("missing", "planned_spend_cents")}
    application.refresh_from_db()
    assert application.checked_at is None
    assert not AuditEvent.objects.filter(object_id=str(application.pk), action="check_draft").exists()


def test_checking_applies_the_eligibility_rules(prereg_draft, owner):
    Application.objects.filter(pk=prereg_draft.pk).update(declared_headcount=40)
    _application, problems = services.check_draft(owner, prereg_draft)
    assert [p.code for p in problems] == ["not_eligible"]


def test_checking_says_when_no_budget_exists_for_the_region(prereg_draft, owner):
    Envelope.objects.filter(scheme=prereg_draft.scheme).delete()
    _application, problems = services.check_draft(owner, prereg_draft)
    assert [p.code for p in problems] == ["no_envelope"]


def test_only_the_owner_of_the_draft_checks_it(prereg_draft, other_owner):
    with pytest.raises(services.PermissionDenied):
        services.check_draft(other_owner, prereg_draft)
    prereg_draft.refresh_from_db()
    assert prereg_draft.checked_at is None


def test_a_change_to_the_draft_clears_the_check(prereg_draft, owner):
    application, _problems = services.check_draft(owner, prereg_draft)
    application = services.update_draft(owner, application, planned_spend_cents=500_000)
    application.refresh_from_db()
    assert application.checked_at is None


def test_saving_the_same_values_again_keeps_the_check(prereg_draft, owner):
    """Autosave sends every field each time: unchanged values do not undo the check."""
    application, _problems = services.check_draft(owner, prereg_draft)
    application = services.update_draft(
        owner, application, planned_spend_cents=application.planned_spend_cents, iban=application.iban
    )
    application.refresh_from_db()
    assert application.checked_at is not None


# --- opening day ----------------------------------------------------------------------------------


def test_submitting_before_the_opening_is_refused_with_the_opening_date(prereg_draft, owner, opening):
    services.check_draft(owner, prereg_draft)

    with pytest.raises(Conflict) as refused:
        services.submit(owner, prereg_draft)

    assert refused.value.code == "scheme_closed"
    day = f"{opening.day} "
    assert day in refused.value.message and "à 09:00" in refused.value.message
    assert refused.value.message.startswith("Le dépôt n'est pas encore ouvert : il ouvre le ")
    prereg_draft.refresh_from_db()
    assert prereg_draft.state == State.DRAFT and prereg_draft.queue_rank is None
    assert envelope_of(prereg_draft.scheme).receipt_counter == 0


def test_submitting_after_the_closing_says_it_is_closed(draft, owner):
    Scheme.objects.filter(pk=draft.scheme_id).update(window_closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict) as refused:
        services.submit(owner, draft)
    assert refused.value.message == "La période de dépôt de ce dispositif est close."


def test_at_the_opening_a_checked_draft_is_submitted_in_one_call(prereg_draft, owner):
    services.check_draft(owner, prereg_draft)
    open_now(prereg_draft.scheme)

    application = services.submit(owner, prereg_draft)

    assert application.state == State.SUBMITTED
    assert application.queue_rank == 1
    assert application.reserved_cents == application.amount_cents > 0


def test_the_submission_checks_again_what_the_check_found_ready(prereg_draft, owner):
    """Public money: a draft found ready before the opening is checked again at submission."""
    services.check_draft(owner, prereg_draft)
    # Changed behind the draft form's back (the check is kept): the submission still sees it.
    Application.objects.filter(pk=prereg_draft.pk).update(declared_headcount=40)
    open_now(prereg_draft.scheme)

    with pytest.raises(Conflict) as refused:
        services.submit(owner, prereg_draft)

    assert refused.value.code == "not_eligible"
    prereg_draft.refresh_from_db()
    assert prereg_draft.state == State.DRAFT


def test_the_managers_scheme_page_gives_the_pre_registration(client, manager, prereg_scheme):
    client.force_login(manager)
    body = client.get(reverse("vouchers:scheme", args=[prereg_scheme.slug])).content.decode()
    assert "Préinscription" in body
    assert ": brouillons et vérification, dépôt le " in body
