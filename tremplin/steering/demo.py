"""Demo data for the steering pages, one function per page group, called at the end of the demo seed."""

from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from tremplin.network.models import Match, MatchState, Request
from tremplin.payments.models import PaymentBatch
from tremplin.schemes.models import Scheme
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
