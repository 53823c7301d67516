"""When the steering's pre-aggregated figures are rebuilt, and the one record of when they were.

Two sets of tables, each rebuilt in its own transaction: the funnel, delays and network figures
(`facts.refresh`) and the budget, reach and State-aid register figures (`stock_facts.refresh`). Both
write their time in the one `FiguresRefresh` row (pk 1), which the pages read through `last_refresh()`.

One rule asks for them: anything the figures count (a file, a claim, a payment batch, a request, a match,
a diagnostic or a scheme changing state, a ledger movement, an envelope, an advisor's action or coaching
session, a registry import: `signals`) calls `request_refresh` once its transaction commits. It queues the
task `tasks.refresh_figures` unless one is already queued (the `QueuedRefresh` mark, a row apart from the
record so that queueing never writes a row a rebuild under way writes too). On a backend that can defer
(the database one), the task runs `DEBOUNCE` after the first change, so a burst of changes costs one
rebuild of each set; the immediate backend (tests) runs it at once. The task takes the mark off first,
so a change from then on queues another, and rebuilds both sets. Also the management command
`refresh_steering_figures` (schedule it nightly: eligibility depends on the day) and the demo seed.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tremplin.steering.models import FiguresRefresh, QueuedRefresh

RECORD = QUEUED = 1  # the primary keys of the one FiguresRefresh row and of the one QueuedRefresh row
DEBOUNCE = timedelta(seconds=60)
STALE = timedelta(minutes=15)  # a refresh queued longer ago than this and never started is taken as lost
LOCK_KEY = 7_301_001  # PostgreSQL advisory lock: one rebuild at a time


@contextmanager
def one_at_a_time():
    """On PostgreSQL, wait for a rebuild under way (a worker, the command) before opening the transaction:
    two transactions rewriting the same tables, or the record, would fail to serialise (REPEATABLE READ)
    or repeat each other's work. SQLite's IMMEDIATE transactions already queue writers."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def record(**fields):
    """Write `fields` in the record, inside the rebuild's transaction; returns the record."""
    if not FiguresRefresh.objects.filter(pk=RECORD).update(**fields):
        FiguresRefresh.objects.create(pk=RECORD, **fields)
    return FiguresRefresh.objects.get(pk=RECORD)


def last_refresh():
    """The record of the last rebuilds: `flow_computed_at` for the funnel, delays and network figures,
    `stock_computed_at` for the budget, reach and register figures, each None while never computed."""
    return FiguresRefresh.objects.filter(pk=RECORD).first() or FiguresRefresh()


def request_refresh():
    """Queue one rebuild unless one is already queued (a conditional update decides, so two changes at
    once queue one); returns the task's result, or None when one was queued already."""
    now = timezone.now()
    if QueuedRefresh.objects.filter(pk=QUEUED, requested_at__gte=now - STALE).exists():
        return None  # the common case on a busy day: one read, no write
    claimed = QueuedRefresh.objects.filter(pk=QUEUED, requested_at__lt=now - STALE).update(requested_at=now)
    if not claimed:
        try:
            with transaction.atomic():
                QueuedRefresh.objects.create(pk=QUEUED, requested_at=now)
        except IntegrityError:
            return None  # queued already: it will see this change too
    from tremplin.steering.tasks import refresh_figures

    task = refresh_figures
    if task.get_backend().supports_defer:
        task = task.using(run_after=now + DEBOUNCE)
    return task.enqueue()


def refresh_all(now=None):
    """Rebuild both sets, each in its own transaction (`now`: the instant they are counted at, by default
    the start of each); returns the record."""
    from tremplin.steering import facts, stock_facts

    facts.refresh(now)
    stock_facts.refresh(now)
    return last_refresh()


def run_queued_refresh():
    """What the task does: take the queued mark off first (a change from now on queues another), rebuild."""
    QueuedRefresh.objects.filter(pk=QUEUED).delete()
    return refresh_all()
