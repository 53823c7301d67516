"""Demo data for the steering pages, one function per page group, called at the end of the demo seed.

`seed_funnel` spreads the files and requests over ten months (delays, previous period); `seed_budget`
files vouchers through the real services until about half of the Auvergne-Rhône-Alpes envelope is
committed, with a budget history (burn chart, forecast); `seed_figures` computes the pre-aggregated
figures last, so every steering page shows them at once.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from tremplin.core.errors import ServiceError
from tremplin.core.models import AuditEvent
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.network.models import Match, MatchState, Request
from tremplin.payments.models import PaymentBatch
from tremplin.schemes.models import Envelope, LedgerEntry, Scheme
from tremplin.steering import opendata, refresh
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Claim, State

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
SPREAD_DAYS = 300  # files spread over ten months: the default six-month period and the one before


def _decision_delay(rng):
    """Mostly within the 15-day target, one in five over it."""
    if rng.random() < 0.2:
        return rng.randint(16, 40) * DAY + rng.randint(0, 23) * HOUR
    return rng.randint(1, 14) * DAY + rng.randint(0, 23) * HOUR


def _transmission_delay(rng):
    """Most requests reach an advisor within hours; some wait in the queue for days."""
    if rng.random() < 0.25:
        return rng.randint(73, 240) * HOUR
    return rng.randint(1, 48) * HOUR


def seed_funnel(rng):
    """Spread the demo files and requests over the last ten months, so that the funnel has months and a
    previous period, and the delays have medians, a tail and files over the service levels.

    The demo seed creates everything "now"; this re-dates it (demo data only, no state changes): a
    file's creation, submission, decision, claim and claim approval follow each other with realistic
    gaps, and the one payment batch is marked paid three days ago, so payment delays run from a few days
    to well over the 30-day target. Requests get transmission delays from an hour to ten days, and the
    first taking in charge from hours to a week after.
    """
    now = timezone.now()
    Scheme.objects.filter(window_opens_at__gt=now - (SPREAD_DAYS + 30) * DAY).update(
        window_opens_at=now - (SPREAD_DAYS + 30) * DAY
    )
    paid_at = now - 3 * DAY
    PaymentBatch.objects.filter(paid_at__isnull=False).update(paid_at=paid_at)
    claims = {c.application_id: c for c in Claim.objects.all()}
    paid = set(
        Application.objects.filter(payment_line__batch__paid_at__isnull=False).values_list("pk", flat=True)
    )
    for app in Application.objects.order_by("pk").only("pk", "state", "submitted_at", "decided_at"):
        claim = claims.get(app.pk)
        if claim and app.pk in paid:
            # Paid three days ago: approved 3 to 44 days before (over the 30-day target for some), the
            # claim 1 to 10 days before that.
            approved = paid_at - rng.choice([3, 8, 15, 25, 36, 44]) * DAY - rng.randint(0, 23) * HOUR
            claimed = approved - rng.randint(1, 10) * DAY
        elif claim:
            approved = now - rng.randint(1, 40) * DAY if claim.approved_at else None
            claimed = (approved or now) - rng.randint(1, 10) * DAY
        if claim:
            Claim.objects.filter(pk=claim.pk).update(submitted_at=claimed, approved_at=approved)
        if app.decided_at:
            latest = (claimed - rng.randint(5, 40) * DAY) if claim else now - DAY
            decided = min(latest, now - rng.randint(1, SPREAD_DAYS - 60) * DAY)
            submitted = decided - _decision_delay(rng)
        elif app.submitted_at:
            # Still waiting for a decision: the seed's 1 to 30 days, some over the target.
            submitted, decided = app.submitted_at, None
        else:
            submitted = decided = None
        created = (submitted or now - rng.randint(0, SPREAD_DAYS) * DAY) - rng.randint(0, 6) * DAY
        Application.objects.filter(pk=app.pk).update(
            created_at=created, submitted_at=submitted, decided_at=decided
        )
        if app.state == State.APPROVED and decided:
            Application.objects.filter(pk=app.pk).update(
                valid_until=max(decided + 180 * DAY, now + DAY).date()
            )

    first_match = dict(Request.objects.annotate(first=Min("matches__pk")).values_list("pk", "first"))
    for request_id, match_id in first_match.items():
        created = now - rng.randint(1, SPREAD_DAYS) * DAY - rng.randint(0, 23) * HOUR
        Request.objects.filter(pk=request_id).update(created_at=created)
        sent = created + _transmission_delay(rng)
        for match in Match.objects.filter(request_id=request_id).order_by("pk"):
            match_sent = sent if match.pk == match_id else sent + rng.randint(1, 72) * HOUR
            taken = None
            if match.state in (MatchState.TAKING_CARE, MatchState.DONE, MatchState.NO_HELP):
                taken = match_sent + rng.randint(2, 190) * HOUR
            Match.objects.filter(pk=match.pk).update(
                created_at=min(match_sent, now), taken_care_at=min(taken, now) if taken else None
            )


SHARE = 50  # percent of the ARA envelope committed once the history is in
MONTHS_BACK = 4  # the scheme opened about 120 days ago


def seed_budget(rng):
    from tremplin.accounts.models import Role, User
    from tremplin.demo.seed import (
        ARA,
        DEMO_SCHEME_SLUG,
        PROVIDERS,
        _pay,
        advance,
        director,
        eligible_companies,
        new_draft,
    )
    from tremplin.providers.models import Provider

    scheme = Scheme.objects.get(slug=DEMO_SCHEME_SLUG)
    envelope = Envelope.objects.get(scheme=scheme, region_id=ARA)
    manager = User.objects.filter(role=Role.MANAGER, email__startswith="gestionnaire@").get()
    reviewer = User.objects.get(organisation__name="CMA Auvergne-Rhône-Alpes", heads_organisation=True)
    providers = list(Provider.objects.filter(name__in=PROVIDERS[:6]).order_by("name"))
    # The scheme now asks for a diagnostic of less than 12 months: files go to companies that did one.
    companies = iter(
        eligible_companies(ARA)
        .filter(
            diagnostics__state=DiagnosticState.COMPLETED,
            diagnostics__completed_at__gte=timezone.now() - timedelta(days=330),
        )
        .distinct()
    )
    target = envelope.total_cents * SHARE // 100
    now = timezone.now()
    history, batches, pending = [], {}, {"back": None, "files": []}

    def pay_pending():
        if pending["files"]:
            before = set(PaymentBatch.objects.values_list("pk", flat=True))
            _pay(manager, pending["files"])
            batches[pending["back"]] = PaymentBatch.objects.exclude(pk__in=before).get()
        pending["files"] = []

    # A batch takes every approved claim: the files the seed left waiting for payment go in one of today,
    # first, and two new ones wait in their place at the end.
    waiting = list(Application.objects.filter(scheme=scheme, state=State.CLAIM_APPROVED))
    pending["files"] = waiting
    pay_pending()

    def new_file(target_state, paid_in):
        while True:
            company = next(companies)
            try:
                with transaction.atomic():  # a company whose register the demo cannot match is skipped
                    owner = director(company, f"historique{company.siren}", rng)
                    app = new_draft(scheme, company, owner, rng.choice(providers), rng)
                    services.submit(owner, app)
                break
            except ServiceError:
                continue
        if paid_in is not None and paid_in != pending["back"]:
            pay_pending()
            pending["back"] = paid_in
        advance(app, target_state, reviewer, rng, pending["files"] if paid_in is not None else [])
        return app

    # Oldest first, two or three files a week; 40 % of those more than 45 days old are paid, in the batch
    # of their month (months ago: 0 to 2), oldest batch first.
    while Envelope.objects.get(pk=envelope.pk).committed_cents < target:
        days_ago = max(8, 115 - len(history) * 3 - rng.randint(0, 2))
        paid_in = None
        if days_ago > 45 and rng.random() < 0.4:
            paid_in = min((days_ago - 30) // 30, MONTHS_BACK)
        app = new_file(State.PAID if paid_in is not None else State.APPROVED, paid_in)
        history.append((app, days_ago, paid_in))
    pay_pending()
    for _ in waiting:
        new_file(State.CLAIM_APPROVED, None)
    for app, days_ago, paid_in in history:
        submitted = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
        decided = submitted + timedelta(days=rng.randint(2, 6))
        paid = now - timedelta(days=paid_in * 30) if paid_in else None
        _date_back(app, submitted, decided, paid, now)
    for back, batch in batches.items():
        if back:  # None: today's batch of the files the seed left waiting
            shift = timedelta(days=back * 30)
            PaymentBatch.objects.filter(pk=batch.pk).update(
                created_at=F("created_at") - shift,
                paid_at=F("paid_at") - shift,
                xml_generated_at=F("xml_generated_at") - shift,
                execution_date=F("execution_date") - shift,
            )


def _date_back(app, submitted, decided, paid, now):
    """Move one file's records to the dates it would have had (a demo only: the ledger is append-only)."""
    stage = {LedgerEntry.Kind.RESERVE: submitted, LedgerEntry.Kind.COMMIT: decided}
    for kind, at in stage.items():
        LedgerEntry.objects.filter(application=app, kind=kind).update(at=at)
    if paid:
        LedgerEntry.objects.filter(
            application=app, kind__in=[LedgerEntry.Kind.DISBURSE, LedgerEntry.Kind.RELEASE]
        ).update(at=paid)
        Claim.objects.filter(application=app).update(
            submitted_at=paid - timedelta(days=9), approved_at=paid - timedelta(days=4)
        )
    Application.objects.filter(pk=app.pk).update(
        created_at=submitted - timedelta(days=1),
        submitted_at=submitted,
        decided_at=decided,
        valid_until=F("valid_until") - timedelta(days=(now - decided).days),
    )
    events = AuditEvent.objects.for_object(app)
    late = {"submit_claim", "start_claim_review", "approve_claim", "add_to_payment_batch", "mark_paid"}
    events.filter(action="submit").update(at=submitted)
    events.exclude(action__in=late | {"submit"}).update(at=decided)
    if paid:
        events.filter(action__in=late).update(at=paid)


def seed_open_data(rng):
    """The open-data files built from an earlier demo database go: the first download rebuilds them from
    this one (the page says they are not built yet until then)."""
    opendata.clear()


def seed_figures(rng):
    """Compute every pre-aggregated figure of the demo data once it is complete (the seed re-dates files,
    requests and movements without their workflow, so no change asked for it), for the pages to show
    them at once."""
    refresh.refresh_all()
