"""Each retention rule on its own: with --apply, what is past its period goes (uploaded files with it)
and what is within it stays; a dry run changes nothing; what a kept file or the action log relies on
is never touched."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage

from tests.factories import BIRTH_DATE, ApplicationFactory, CompanyFactory, UserFactory, pdf_file
from tests.privacy.test_retention import NOW, run
from tremplin.accounts.models import ApiToken, IdentityProviderLink, User
from tremplin.authority.models import Capacity, Mandate, Representation
from tremplin.core import audit
from tremplin.core.models import AuditEvent, IdempotencyRecord
from tremplin.network.models import Action, ActionKind, Match, Request, Theme
from tremplin.privacy.retention import NO_BIRTH_DATE
from tremplin.vouchers.models import Application, Message, MessageAttachment, State

pytestmark = pytest.mark.django_db

YEAR = timedelta(days=365)
DAYS = timedelta(days=10)
DAY = timedelta(days=1)


def at(when):
    return time_machine.travel(when, tick=False)


def dry_run_changes_nothing(state):
    before = state()
    run()
    assert state() == before
    assert not AuditEvent.objects.filter(action="apply_retention").exists()


@pytest.fixture
def applied(django_capture_on_commit_callbacks):
    """Run with --apply, files deleted once committed; the counts of its audit event."""

    def apply():
        with django_capture_on_commit_callbacks(execute=True):
            run("--apply")
        return AuditEvent.objects.get(action="apply_retention").data["counts"]

    return apply


# --- api_replays ----------------------------------------------------------------------------------


def test_api_answers_kept_for_retries_go_after_a_day(applied):
    def kept(key):
        return IdempotencyRecord.objects.create(
            scope="0" * 64,
            key=key,
            fingerprint="1" * 64,
            status=200,
            content_type="application/json",
            body=b"{}",
        )

    with at(NOW - 2 * DAY):
        kept("two days ago")
    with at(NOW - DAY + timedelta(hours=1)):
        kept("this morning")

    def keys():
        return sorted(IdempotencyRecord.objects.values_list("key", flat=True))

    dry_run_changes_nothing(keys)
    assert applied()["api_replays"] == 1
    assert keys() == ["this morning"]


# --- api_tokens ------------------------------------------------------------------------------------


def test_api_tokens_unused_for_a_year_are_deleted(applied):
    holder = UserFactory()
    with at(NOW - 2 * YEAR):
        for name in ("used long ago", "never used", "used lately"):
            ApiToken.issue(holder, name)
    ApiToken.objects.filter(name="used long ago").update(last_used_at=NOW - YEAR - DAYS)
    ApiToken.objects.filter(name="used lately").update(last_used_at=NOW - DAYS)
    with at(NOW - YEAR + DAYS):
        ApiToken.issue(holder, "new, never used")

    def names():
        return sorted(ApiToken.objects.values_list("name", flat=True))

    dry_run_changes_nothing(names)
    assert applied()["api_tokens"] == 2
    assert names() == ["new, never used", "used lately"]


# --- advisor_requests ------------------------------------------------------------------------------


def request_touched(when, theme, advisor, company):
    with at(when):
        request = Request.objects.create(
            siret=company.siren + "00011",
            company=company,
            email="contact@boulangerie.fr",
            phone="0612345678",
            theme=theme,
            description="Un site pour prendre les commandes",
        )
        match = Match.objects.create(request=request, advisor=advisor)
        audit.record(match, actor=None, action="route", to_state=match.state, request=request.pk)
    return request


def test_requests_for_an_advisor_untouched_for_3_years_go_with_their_matches(applied):
    theme = Theme.objects.create(code="site-internet", label="Site internet")
    advisor, company = UserFactory(advisor=True), CompanyFactory()
    old = request_touched(NOW - 3 * YEAR - DAYS, theme, advisor, company)
    touched_lately = request_touched(NOW - 4 * YEAR, theme, advisor, CompanyFactory())
    Request.objects.filter(pk=touched_lately.pk).update(touched_at=NOW - 3 * YEAR + DAYS)
    # The support the company received stays in the action log (reach is computed from it).
    action = Action.objects.create(
        kind=ActionKind.COACHING, advisor=advisor, company=company, on=(NOW - 3 * YEAR).date()
    )

    def state():
        return sorted(Request.objects.values_list("pk", "email")), Match.objects.count()

    dry_run_changes_nothing(state)
    assert applied()["advisor_requests"] == 1
    assert list(Request.objects.values_list("pk", flat=True)) == [touched_lately.pk]
    assert list(Match.objects.values_list("request_id", flat=True)) == [touched_lately.pk]
    assert Action.objects.filter(pk=action.pk, company=company).exists()
    # Who was sent what stays in the audit trail, which names no one.
    assert AuditEvent.objects.filter(action="route", data__request=old.pk).exists()


# --- refused_checks --------------------------------------------------------------------------------


def representation(status, **fields):
    return Representation.objects.create(
        user=fields.pop("user", None) or UserFactory(),
        company=fields.pop("company", None) or CompanyFactory(),
        capacity=fields.pop("capacity", Capacity.REPRESENTATIVE),
        given_names="Camille",
        family_name="Martin",
        birth_date=BIRTH_DATE,
        status=status,
        register_extract=pdf_file("extrait.pdf"),
        statement=pdf_file("attestation.pdf"),
        decision_note="Extrait de plus de trois mois",
        **fields,
    )


def test_checks_refused_or_revoked_a_year_ago_are_anonymised_unless_a_funded_file_relies_on_them(
    scheme, applied
):
    refused = representation(Representation.Status.REFUSED, decided_at=NOW - YEAR - DAYS)
    grantor, company = UserFactory(), CompanyFactory()
    mandate = Mandate.objects.create(
        company=company,
        grantor=grantor,
        holder_email="comptable@example.fr",
        holder_name="Claude Comptable",
        kind=Mandate.Kind.ACCOUNTANT,
        revoked_at=NOW - YEAR - DAYS,
        revoked_by=grantor,
    )
    # Revoked with the mandate it relied on: decided when the mandate was.
    revoked = representation(
        Representation.Status.REVOKED, company=company, mandate=mandate, capacity=Capacity.MANDATE_HOLDER
    )
    recent = representation(Representation.Status.REFUSED, decided_at=NOW - YEAR + DAYS)
    funded = representation(Representation.Status.REFUSED, decided_at=NOW - 2 * YEAR)
    ApplicationFactory(
        scheme=scheme, owner=funded.user, company=funded.company, state=State.PAID, standing=False
    )
    stored = [refused.register_extract.name, refused.statement.name, revoked.statement.name]
    assert all(default_storage.exists(name) for name in stored)

    def state():
        return sorted(
            Representation.objects.values_list(
                "pk", "given_names", "birth_date", "statement", "decision_note"
            )
        )

    dry_run_changes_nothing(state)
    assert applied()["refused_checks"] == 2
    for rep in (refused, revoked):
        rep.refresh_from_db()
        assert (rep.given_names, rep.family_name, rep.birth_date) == ("", "", NO_BIRTH_DATE)
        assert (rep.register_extract.name, rep.statement.name, rep.decision_note) == ("", "", "")
        assert rep.status in (Representation.Status.REFUSED, Representation.Status.REVOKED)
    assert not any(default_storage.exists(name) for name in stored)
    for rep in (recent, funded):
        rep.refresh_from_db()
        assert (rep.given_names, rep.birth_date) == ("Camille", BIRTH_DATE)
        assert default_storage.exists(rep.statement.name)


# --- unfunded_files --------------------------------------------------------------------------------


def with_message(application, body):
    message = Message.objects.create(application=application, author=application.owner, body=body)
    attachment = MessageAttachment.objects.create(
        message=message,
        file=pdf_file("rib-corrige.pdf"),
        original_name="rib-corrige.pdf",
        content_type="application/pdf",
        size=1000,
    )
    audit.record(
        application,
        actor=application.owner,
        action="answer_info",
        reason=body,
        attachments=[attachment.original_name],
    )
    return attachment


def test_unfunded_files_lose_their_messages_and_attachments_too(scheme, applied):
    with at(NOW - 3 * YEAR - DAYS):
        old = ApplicationFactory(scheme=scheme, state=State.REJECTED)
        old_attachment = with_message(old, "Voici le RIB de Camille Martin")
    with at(NOW - 3 * YEAR + DAYS):
        recent = ApplicationFactory(scheme=scheme, state=State.WITHDRAWN)
        recent_attachment = with_message(recent, "Je retire ma demande")
    stored = old_attachment.file.name

    def state():
        return Message.objects.count(), MessageAttachment.objects.count(), AuditEvent.objects.count()

    dry_run_changes_nothing(state)
    assert applied()["unfunded_files"] == 1
    assert not Message.objects.filter(application=old).exists()
    assert not MessageAttachment.objects.filter(pk=old_attachment.pk).exists()
    assert not default_storage.exists(stored)
    # The event of the exchange stays: the audit trail is append-only.
    assert AuditEvent.objects.filter(action="answer_info", object_id=str(old.pk)).exists()
    assert Message.objects.filter(application=recent).exists()
    assert default_storage.exists(recent_attachment.file.name)


def test_unfunded_files_keep_the_declaration_a_kept_file_relies_on(scheme, applied):
    with at(NOW - 3 * YEAR - DAYS):
        alone = ApplicationFactory(scheme=scheme, state=State.REJECTED)
        old = ApplicationFactory(scheme=scheme, state=State.EXPIRED)
    # The same person applies again for the same company: the new file relies on the same declaration.
    with at(NOW - YEAR):
        ApplicationFactory(
            scheme=scheme, owner=old.owner, company=old.company, state=State.PAID, standing=False
        )

    def state():
        return sorted(Representation.objects.values_list("pk", "given_names", "birth_date"))

    dry_run_changes_nothing(state)
    assert applied()["unfunded_files"] == 2
    assert Application.objects.get(pk=old.pk).iban == ""
    kept = Representation.objects.get(user=old.owner, company=old.company)
    assert (kept.given_names, kept.birth_date) == (old.owner.first_name, BIRTH_DATE)
    gone = Representation.objects.get(user=alone.owner, company=alone.company)
    assert (gone.given_names, gone.family_name, gone.birth_date) == ("", "", NO_BIRTH_DATE)


# --- unused_accounts -------------------------------------------------------------------------------


def signed_in(user):
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    return session.session_key


def test_owners_whose_only_files_are_past_their_period_are_anonymised_with_tokens_and_sessions(
    scheme, applied
):
    with at(NOW - 3 * YEAR - DAYS):
        gone = ApplicationFactory(scheme=scheme, state=State.REJECTED).owner
        paid = ApplicationFactory(scheme=scheme, state=State.PAID).owner
        again = ApplicationFactory(scheme=scheme, state=State.WITHDRAWN).owner
        ApiToken.issue(gone, "gone")
        ApiToken.issue(paid, "paid")
        IdentityProviderLink.objects.create(user=gone, subject="sub-gone")
        IdentityProviderLink.objects.create(user=paid, subject="sub-paid")
    # Tokens in use: only the account's end removes them.
    ApiToken.objects.update(last_used_at=NOW - DAYS)
    # The same person's newer file is within its period: the account stays with it.
    with at(NOW - 3 * YEAR + DAYS):
        ApplicationFactory(scheme=scheme, owner=again, state=State.DRAFT)
    gone_session, paid_session = signed_in(gone), signed_in(paid)

    def state():
        return (
            sorted(User.objects.values_list("email", "is_active")),
            ApiToken.objects.count(),
            Session.objects.count(),
            IdentityProviderLink.objects.count(),
        )

    dry_run_changes_nothing(state)
    assert applied()["unused_accounts"] == 1
    gone.refresh_from_db()
    assert gone.email == f"anonymised-{gone.pk}@invalid" and not gone.is_active
    assert not ApiToken.objects.filter(user=gone).exists()
    assert not Session.objects.filter(session_key=gone_session).exists()
    assert list(IdentityProviderLink.objects.values_list("subject", flat=True)) == ["sub-paid"]
    for kept in (paid, again):
        assert User.objects.get(pk=kept.pk).email == kept.email
    assert ApiToken.objects.filter(user=paid).exists()
    assert Session.objects.filter(session_key=paid_session).exists()
