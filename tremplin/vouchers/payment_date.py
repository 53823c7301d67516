"""When the owner may expect the money of an approved claim (DESIGN: providers and owners paid on time,
nobody waits without knowing why).

Vouchers sit below payments and do not import them: the claim's batch is read through the
`payment_line` relation that payments hangs on the file.
"""

from datetime import timedelta

from django.utils import timezone

SATURDAY = 5


def next_working_day(day):
    """`day`, or the Monday after it when it falls on a Saturday or a Sunday."""
    if day.weekday() >= SATURDAY:
        return day + timedelta(days=7 - day.weekday())
    return day


def paid_on(claim):
    """The day the batch holding the claim was paid, or None."""
    line = getattr(claim.application, "payment_line", None)
    if line is not None and line.batch.paid_at:
        return timezone.localdate(line.batch.paid_at)
    return None


def expected_payment_on(claim):
    """The day the payment was made once paid; else the execution date of the claim's batch; else the
    approval day plus the scheme's `payment_target_days` (tomorrow at the earliest, once late); a weekend
    moved to the next Monday. None before the claim is approved."""
    paid = paid_on(claim)
    if paid:
        return paid
    if claim.approved_at is None:
        return None
    line = getattr(claim.application, "payment_line", None)
    if line is not None:
        return next_working_day(line.batch.execution_date)
    target = timezone.localdate(claim.approved_at) + timedelta(
        days=claim.application.scheme.payment_target_days
    )
    # A target passed while no batch holds the claim yet: late, so the next working day, never a past date.
    return next_working_day(max(target, timezone.localdate() + timedelta(days=1)))
