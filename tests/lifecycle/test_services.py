"""The voucher lifecycle at the service layer: budget, ledger, audit, permissions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    EnvelopeFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
    pdf_file,
)
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.payments import services as payments
from tremplin.schemes.budget import ledger_totals
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def envelope():
    return EnvelopeFactory(region=RegionFactory(), total_cents=1_000_000)


def draft(envelope, **kwargs):
    return ApplicationFactory(scheme=envelope.scheme, **kwargs)


def approved(envelope, advisor):
    app = draft(envelope)
    services.submit(app.owner, app)
    services.start_review(advisor, app)
    return services.approve(advisor, app)


def claim_approved(envelope, advisor, invoiced=300_000):
    app = approved(envelope, advisor)
    services.submit_claim(app.owner, app, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), invoiced)
    services.start_claim_review(advisor, app)
    return services.approve_claim(advisor, app)


def pay(manager, app):
    batch = payments.create_batch(manager, app.scheme)
    payments.mark_batch_paid(manager, batch)
    app.refresh_from_db()


def check_ledger(envelope):
    envelope.refresh_from_db()
    assert ledger_totals(envelope.pk) == {
        "committed_cents": envelope.committed_cents,
        "disbursed_cents": envelope.disbursed_cents,
    }
    assert 0 <= envelope.disbursed_cents <= envelope.committed_cents <= envelope.total_cents


def test_a_file_goes_from_draft_to_paid_with_an_audit_event_per_step(envelope, advisor, manager):
    app = claim_approved(envelope, advisor, invoiced=300_000)
    pay(manager, app)

    app.refresh_from_db()
    assert app.state == State.PAID
    # 50% of 3,000 EUR invoiced: 1,500 EUR paid, the rest of the 2,000 EUR voucher released.
    assert app.claim.payable_cents == 150_000
    envelope.refresh_from_db()
    assert envelope.committed_cents == 150_000
    assert envelope.disbursed_cents == 150_000
    check_ledger(envelope)
    steps = list(AuditEvent.objects.for_object(app).values_list("action", "to_state"))
    assert [s[0] for s in steps] == [
        "submit",
        "start_review",
        "approve",
        "submit_claim",
        "start_claim_review",
        "approve_claim",
        "add_to_payment_batch",
        "mark_paid",
    ]
    assert steps[-1][1] == State.PAID


def test_submission_reserves_the_voucher_and_tells_the_owner(envelope, django_capture_on_commit_callbacks):
    app = draft(envelope)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(app.owner, app)
    app.refresh_from_db()
    assert (app.state, app.reserved_cents, app.queue_rank) == (State.SUBMITTED, 200_000, 1)
    assert [r["passed"] for r in app.eligibility] == [True] * len(app.eligibility)
    assert app.rules_version == 1
    assert "réservé" in mail.outbox[-1].body
    check_ledger(envelope)


def test_a_file_that_does_not_fit_is_waitlisted_with_its_position(
    envelope, django_capture_on_commit_callbacks
):
    envelope.total_cents = 300_000
    envelope.save()
    first, second, third = draft(envelope), draft(envelope), draft(envelope)
    with django_capture_on_commit_callbacks(execute=True):
        for app in (first, second, third):
            services.submit(app.owner, app)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == third.state == State.WAITLISTED
    assert second.waitlist_position() == 1
    assert third.waitlist_position() == 2
    assert "liste d'attente" in mail.outbox[-1].body
    services.withdraw(first.owner, first)
    second.refresh_from_db()
    assert second.state == State.SUBMITTED and second.reserved_cents == 200_000
    check_ledger(envelope)


def test_an_ineligible_file_cannot_be_submitted_and_nothing_changes(envelope):
    app = draft(envelope, declared_headcount=25)
    with pytest.raises(ServiceError) as exc:
        services.submit(app.owner, app)
    assert exc.value.code == "not_eligible"
    assert "25 salariés" in exc.value.message
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.reserved_cents == 0
    envelope.refresh_from_db()
    assert envelope.committed_cents == 0 and envelope.receipt_counter == 0


def test_spend_below_the_minimum_is_refused(envelope):
    app = draft(envelope, planned_spend_cents=49_999)
    with pytest.raises(ServiceError) as exc:
        services.submit(app.owner, app)
    assert exc.value.code == "below_minimum_spend"
    assert "500 €" in exc.value.message


def test_a_second_open_file_for_the_same_company_is_refused(envelope):
    first = draft(envelope)
    services.submit(first.owner, first)
    second = draft(envelope, company=first.company)
    with pytest.raises(ServiceError) as exc:
        services.submit(second.owner, second)
    assert "déjà en cours" in exc.value.message
    second.refresh_from_db()
    assert second.state == State.DRAFT


def test_rejection_releases_the_budget_and_promotes_the_first_waiting_file(envelope, advisor):
    envelope.total_cents = 200_000
    envelope.save()
    funded, waiting = draft(envelope), draft(envelope)
    services.submit(funded.owner, funded)
    services.submit(waiting.owner, waiting)
    services.reject(advisor, funded, "other", "Le devis ne porte pas sur du numérique.")
    waiting.refresh_from_db()
    assert waiting.state == State.SUBMITTED and waiting.is_funded
    event = AuditEvent.objects.for_object(funded).last()
    assert event.reason.endswith("Le devis ne porte pas sur du numérique.")
    check_ledger(envelope)


def test_information_requests_go_back_and_forth(envelope, advisor):
    app = draft(envelope)
    services.submit(app.owner, app)
    services.start_review(advisor, app)
    services.request_info(advisor, app, "Merci de joindre le devis signé.")
    assert Application.objects.get(pk=app.pk).state == State.INFO_REQUESTED
    services.answer_info(app.owner, app, "Le voici.", [pdf_file("devis-signe.pdf")])
    app.refresh_from_db()
    assert app.state == State.UNDER_REVIEW
    assert list(app.messages.values_list("body", flat=True)) == [
        "Merci de joindre le devis signé.",
        "Le voici.",
    ]


def test_approval_sets_the_validity_and_commits_the_reservation(envelope, advisor):
    app = approved(envelope, advisor)
    assert app.valid_until == timezone.localdate() + timedelta(days=app.scheme.validity_days)
    assert list(app.ledger.values_list("kind", flat=True)) == ["reserve", "commit"]
    check_ledger(envelope)


def test_a_claim_above_the_quote_is_refused(envelope, advisor):
    app = approved(envelope, advisor)
    with pytest.raises(ServiceError) as exc:
        services.submit_claim(app.owner, app, pdf_file(), pdf_file(), app.planned_spend_cents + 1)
    assert exc.value.code == "claim_above_voucher"
    app.refresh_from_db()
    assert app.state == State.APPROVED


def test_a_claim_on_an_expired_voucher_is_refused(envelope, advisor):
    app = approved(envelope, advisor)
    Application.objects.filter(pk=app.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    app.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.submit_claim(app.owner, app, pdf_file(), pdf_file(), 300_000)
    assert exc.value.code == "voucher_expired"


def test_a_claim_on_a_withdrawn_voucher_is_refused(envelope, advisor):
    app = approved(envelope, advisor)
    services.withdraw(app.owner, app)
    with pytest.raises(Conflict) as exc:
        services.submit_claim(app.owner, app, pdf_file(), pdf_file(), 300_000)
    assert exc.value.code == "invalid_transition"
    check_ledger(envelope)


def test_unclaimed_vouchers_expire_and_give_their_budget_back(envelope, advisor):
    app = approved(envelope, advisor)
    tomorrow_after = app.valid_until + timedelta(days=1)
    assert services.expire_due(on=app.valid_until) == 0
    assert services.expire_due(on=tomorrow_after) == 1
    app.refresh_from_db()
    assert app.state == State.EXPIRED and app.reserved_cents == 0
    envelope.refresh_from_db()
    assert envelope.committed_cents == 0
    check_ledger(envelope)


def test_owners_are_reminded_once_before_expiry(envelope, advisor, django_capture_on_commit_callbacks):
    app = approved(envelope, advisor)
    on = app.valid_until - timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_reminders(on=on) == 1
    assert services.send_expiry_reminders(on=on) == 0
    assert "expire" in mail.outbox[0].subject


def test_clawback_returns_the_paid_amount_to_the_envelope(envelope, advisor, manager):
    app = claim_approved(envelope, advisor)
    pay(manager, app)
    with pytest.raises(ServiceError):
        services.claw_back(manager, app, "")
    services.claw_back(manager, app, "Prestation non réalisée (contrôle sur place).")
    app.refresh_from_db()
    assert app.state == State.CLAWED_BACK
    envelope.refresh_from_db()
    assert envelope.committed_cents == 0 and envelope.disbursed_cents == 0
    check_ledger(envelope)


def test_a_claim_is_paid_only_through_a_batch_and_only_once(envelope, advisor, manager):
    app = claim_approved(envelope, advisor)
    with pytest.raises(Conflict) as exc:
        services.mark_paid(manager, app)
    assert exc.value.code == "not_in_batch"
    pay(manager, app)
    with pytest.raises(Conflict):
        services.mark_paid(manager, app)
    assert app.ledger.filter(kind="disburse").count() == 1


def test_the_lottery_is_reproducible_from_its_published_seed(advisor, manager):
    now = timezone.now()
    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY, window_closes_at=now + timedelta(days=1))
    envelope = EnvelopeFactory(scheme=scheme, region=RegionFactory(), total_cents=400_000)
    files = [draft(envelope) for _ in range(5)]
    for app in files:
        services.submit(app.owner, app)
        app.refresh_from_db()
        assert app.state == State.SUBMITTED and app.reserved_cents == 0
    with pytest.raises(Conflict):
        services.start_review(advisor, files[0])
    with pytest.raises(Conflict):
        services.draw_lottery(manager, scheme, seed="graine-publique-2026")
    Scheme.objects.filter(pk=scheme.pk).update(window_closes_at=now - timedelta(minutes=1))
    scheme.refresh_from_db()

    order = services.draw_lottery(manager, scheme, seed="graine-publique-2026")

    expected = sorted((a.pk for a in files), key=lambda pk: services.lottery_key("graine-publique-2026", pk))
    assert [a.pk for a in order] == expected
    states = dict(Application.objects.values_list("pk", "state"))
    assert [states[pk] for pk in expected] == [State.SUBMITTED] * 2 + [State.WAITLISTED] * 3
    with pytest.raises(Conflict):
        services.draw_lottery(manager, scheme)
    check_ledger(envelope)


ROLES = ["owner", "other_owner", "advisor", "other_advisor", "provider", "manager", "auditor"]
ALLOWED = {
    "submit": "owner",
    "start_review": "advisor",
    "approve": "advisor",
    "withdraw": "owner",
}


@pytest.fixture
def people(advisor, manager):
    return {
        "advisor": advisor,
        "other_advisor": UserFactory(
            advisor=True,
            organisation__departements=[
                DepartementFactory(
                    code="35", name="Ille-et-Vilaine", region=RegionFactory(code="53", name="Bretagne")
                )
            ],
        ),
        "other_owner": UserFactory(),
        "provider": UserFactory(provider_member=True),
        "manager": manager,
        "auditor": UserFactory(auditor=True),
    }


def _prepare(action, envelope, advisor):
    app = draft(envelope)
    if action in ("start_review", "approve", "withdraw"):
        services.submit(app.owner, app)
    if action == "approve":
        services.start_review(advisor, app)
    return app


def _call(action, user, app):
    if action in ("submit", "start_review", "withdraw"):
        return getattr(services, action)(user, app)
    return services.approve(user, app)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_each_transition_is_allowed_only_to_its_role(action, role, envelope, people, advisor):
    app = _prepare(action, envelope, advisor)
    user = app.owner if role == "owner" else people[role]
    before = Application.objects.get(pk=app.pk).state
    if role == ALLOWED[action]:
        _call(action, user, app)
        assert Application.objects.get(pk=app.pk).state != before
    else:
        with pytest.raises(PermissionDenied) as exc:
            _call(action, user, app)
        if role == "other_advisor" and ALLOWED[action] == "advisor":
            assert exc.value.code == "other_territory"
        assert Application.objects.get(pk=app.pk).state == before


def test_a_transition_from_the_wrong_state_is_refused(envelope, advisor):
    app = draft(envelope)
    with pytest.raises(Conflict) as exc:
        services.approve(advisor, app)
    # An advisor never sees drafts; the refusal still says why in plain words.
    assert exc.value.code == "invalid_transition"
    assert "Brouillon" in exc.value.message


def test_plain_text_emails_are_not_html_escaped(envelope, advisor, django_capture_on_commit_callbacks):
    app = draft(envelope)
    services.submit(app.owner, app)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(advisor, app, "not_eligible")
    body = mail.outbox[-1].body
    assert "L'entreprise ne remplit pas" in body
    assert "&#x27;" not in body


def test_what_is_stored_with_a_file_stays_in_french_for_an_english_speaking_user(envelope, advisor):
    from django.utils import translation

    app = draft(envelope)
    with translation.override("en"):
        services.submit(app.owner, app)
        services.reject(advisor, app, "not_eligible")
    app.refresh_from_db()
    assert app.eligibility[0]["label"] == "Entreprise active au répertoire SIRENE"
    assert AuditEvent.objects.for_object(app).last().reason.startswith("L'entreprise ne remplit pas")
