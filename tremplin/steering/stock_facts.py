"""The steering's pre-aggregated figures: computed in the database, in one transaction, then read by the pages.

Live queries over the ledger (millions of movements) and the registry (millions of companies) take
seconds; the budget and reach pages read small tables instead:
- `EnvelopeSnapshot`: each envelope's total and counters; `LedgerMonth`: the ledger summed per envelope,
  département of the file's company, local month, kind, firm or not, inside the forecast's window or not;
- `ReachSnapshot` and `ReachCount`: per scheme (under its rules version) and département, the companies
  eligible, beneficiaries and reached.

`refresh` recomputes them all with `INSERT … SELECT … GROUP BY` statements (SQLite and PostgreSQL alike;
no company, no movement is loaded into Python) in one transaction, in one snapshot of the database
(REPEATABLE READ on PostgreSQL; SQLite's transactions are serialisable), so the ledger's sums and the
envelopes' counters are of the same instant and still reconcile. Pages say the figures are "arrêtés" at
`refresh.last_refresh().stock_computed_at`. The figures are the day's figures of that instant: the burn
ends at its month, the forecast's window ends at its day, eligibility (company age) is judged on that day.

When they are rebuilt (with the funnel's, after each change they count): `steering.refresh`.
"""

import time

from django.db import connection, transaction
from django.utils import timezone

from tremplin.schemes.models import Scheme
from tremplin.steering import budget, reach, state_aid
from tremplin.steering import refresh as refreshes
from tremplin.steering.models import EnvelopeSnapshot, LedgerMonth, ReachCount, ReachSnapshot


def insert_select(model, queryset, columns, constants=None):
    """INSERT INTO `model`'s table the rows of `queryset`, one statement run by the database.

    `columns`: {field name: alias of the queryset's values}; `constants`: {field name: value} the same
    for every row. Returns the number of rows inserted."""
    constants = constants or {}
    quote = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    fields = [model._meta.get_field(name) for name in [*constants, *columns]]
    selected = ["%s"] * len(constants) + [quote(alias) for alias in columns.values()]
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, constants.values(), strict=False)
    ]
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(selected)} FROM ({sql}) source"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*values, *params])
        return cursor.rowcount


def refresh(now=None):
    """Recompute every pre-aggregated figure as of `now`, in one transaction; returns the record
    (`refresh.last_refresh`)."""
    with refreshes.one_at_a_time():
        return _refresh(now or timezone.now())


def _refresh(now):
    today = timezone.localdate(now)
    started = time.perf_counter()
    # PostgreSQL: every statement sees the data committed before the first one (READ COMMITTED would let
    # a reservation committed between two statements break the reconciliation). Only possible when the
    # refresh opens the transaction; inside an outer one (tests), that one's isolation holds.
    repeatable = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if repeatable:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        _refresh_budget(today)
        _refresh_reach(today)
        # A REPEATABLE READ transaction may not update a row that another one changed after its snapshot:
        # none did, every rebuild waits for the one under way (`one_at_a_time`) before it starts.
        aids = state_aid.summary()
        return refreshes.record(
            stock_computed_at=now,
            stock_on=today,
            stock_duration_ms=round((time.perf_counter() - started) * 1000),
            aids_count=aids["count"],
            aids_total_cents=aids["total_cents"],
            aids_last_granted_on=aids["last_granted_on"],
        )


def _refresh_budget(today):
    LedgerMonth.objects.all().delete()
    EnvelopeSnapshot.objects.all().delete()
    insert_select(
        EnvelopeSnapshot,
        budget.envelope_counters(),
        {name: name for name in ("envelope", "total_cents", "committed_cents", "disbursed_cents")},
    )
    insert_select(LedgerMonth, budget.ledger_months(today), budget.LEDGER_MONTH_COLUMNS)


def _refresh_reach(today):
    ReachCount.objects.all().delete()
    ReachSnapshot.objects.all().delete()
    for scheme in Scheme.objects.order_by("pk"):
        snapshot = ReachSnapshot.objects.create(scheme=scheme, rules_version=scheme.rules_version, on=today)
        for measure, queryset in reach.counts_by_departement(scheme, today).items():
            insert_select(
                ReachCount,
                queryset,
                reach.COUNT_ALIASES,
                constants={"snapshot": snapshot.pk, "measure": measure},
            )
