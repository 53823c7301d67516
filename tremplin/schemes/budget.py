"""Budget movements on envelopes. Each is one conditional UPDATE plus one ledger row.

Callers run these inside their own transaction (the service function of the
transition), so the envelope, the ledger and the file's state move together.
"""

from django.db import connection
from django.db.models import F

from tremplin.schemes.models import Envelope, LedgerEntry

Kind = LedgerEntry.Kind


def take_receipt_number(envelope_id: int) -> int:
    """Next receipt number of the envelope.

    The UPDATE locks the envelope row until the caller's transaction ends, so
    receipt numbers follow the order in which submissions reach the budget.
    """
    with connection.cursor() as cursor:
        # One statement (PostgreSQL, and SQLite since 3.35, return the updated row).
        cursor.execute(
            f"UPDATE {Envelope._meta.db_table} SET receipt_counter = receipt_counter + 1 WHERE id = %s "
            "RETURNING receipt_counter",
            [envelope_id],
        )
        return cursor.fetchone()[0]


def try_reserve(envelope_id: int, application, amount_cents: int) -> bool:
    """Reserve `amount_cents` if it fits; the row count of one conditional UPDATE decides."""
    if amount_cents <= 0:
        raise ValueError("A reservation must be positive.")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Envelope._meta.db_table} SET committed_cents = committed_cents + %s "
            "WHERE id = %s AND committed_cents + %s <= total_cents RETURNING committed_cents, total_cents",
            [amount_cents, envelope_id, amount_cents],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    entry = LedgerEntry(
        envelope_id=envelope_id, application=application, kind=Kind.RESERVE, amount_cents=amount_cents
    )
    # What the envelope holds after this reservation, for those listening to the ledger (budget alerts).
    entry.envelope_committed_cents, entry.envelope_total_cents = row
    entry.save(force_insert=True)
    return True


def commit(application):
    """Turn the file's reservation into a firm commitment (no change to `committed`)."""
    LedgerEntry.objects.create(
        envelope_id=application.envelope_id,
        application=application,
        kind=Kind.COMMIT,
        amount_cents=application.reserved_cents,
    )


def release(application, amount_cents: int):
    if amount_cents <= 0:
        return
    updated = Envelope.objects.filter(pk=application.envelope_id, committed_cents__gte=amount_cents).update(
        committed_cents=F("committed_cents") - amount_cents
    )
    if updated != 1:
        raise RuntimeError("Envelope would go below zero: ledger and envelope disagree.")
    LedgerEntry.objects.create(
        envelope_id=application.envelope_id,
        application=application,
        kind=Kind.RELEASE,
        amount_cents=amount_cents,
    )


def disburse(application, amount_cents: int):
    Envelope.objects.filter(pk=application.envelope_id).update(
        disbursed_cents=F("disbursed_cents") + amount_cents
    )
    LedgerEntry.objects.create(
        envelope_id=application.envelope_id,
        application=application,
        kind=Kind.DISBURSE,
        amount_cents=amount_cents,
    )


def claw_back(application, amount_cents: int):
    """Money recovered after payment returns to the envelope."""
    updated = Envelope.objects.filter(
        pk=application.envelope_id, committed_cents__gte=amount_cents, disbursed_cents__gte=amount_cents
    ).update(
        committed_cents=F("committed_cents") - amount_cents,
        disbursed_cents=F("disbursed_cents") - amount_cents,
    )
    if updated != 1:
        raise RuntimeError("Envelope would go below zero: ledger and envelope disagree.")
    LedgerEntry.objects.create(
        envelope_id=application.envelope_id,
        application=application,
        kind=Kind.CLAWBACK,
        amount_cents=amount_cents,
    )


def ledger_totals(envelope_id: int) -> dict:
    """Recompute committed and disbursed from the ledger, to check the envelope."""
    sums = {kind: 0 for kind in Kind.values}
    for kind, amount in LedgerEntry.objects.filter(envelope_id=envelope_id).values_list(
        "kind", "amount_cents"
    ):
        sums[kind] += amount
    return {
        "committed_cents": sums[Kind.RESERVE] - sums[Kind.RELEASE] - sums[Kind.CLAWBACK],
        "disbursed_cents": sums[Kind.DISBURSE] - sums[Kind.CLAWBACK],
    }
