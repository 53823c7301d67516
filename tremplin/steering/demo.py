"""Demo data of the steering pages: a budget history, so the burn chart and the forecast mean something.

`seed_budget` files vouchers in Auvergne-Rhône-Alpes through the real services until about half of its
envelope is committed, some paid in monthly batches, then dates each file's records back over the months
since the scheme opened (its ledger movements, timestamps, claim, batch and audit trail move together, as if
it had happened then). Bretagne's envelope stays nearly full: it shows the waiting list (the seed needs a
waitlisted file, which only exists when the budget is taken) and an envelope the forecast says is used up.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tremplin.core.errors import ServiceError
from tremplin.core.models import AuditEvent
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.payments.models import PaymentBatch
from tremplin.schemes.models import Envelope, LedgerEntry, Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Claim, State

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
