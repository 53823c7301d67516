"""Acceptance: 200 eligible submissions race for an envelope worth 50 vouchers.

Real concurrency: forked processes, each with its own database connection,
released together by a barrier. Runs on SQLite (file database) and PostgreSQL.
"""

import multiprocessing

import pytest
from django.db import connections

from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    EnvelopeFactory,
    SchemeFactory,
    UserFactory,
)
from tremplin.schemes.budget import ledger_totals
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

FILES = 200
CAPACITY = 50
WORKERS = 8
VOUCHER_CENTS = 200_000  # 50% of 4,000 EUR


def _submit_all(pks, barrier, errors):
    connections.close_all()
    try:
        barrier.wait(timeout=60)
        for pk in pks:
            application = Application.objects.select_related("owner").get(pk=pk)
            services.submit(application.owner, application)
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(repr(exc))
    finally:
        connections.close_all()


def race(pks, workers=WORKERS):
    """Submit the files from `workers` processes at once; return the errors they hit."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    errors = ctx.Queue()
    connections.close_all()
    procs = [ctx.Process(target=_submit_all, args=(pks[i::workers], barrier, errors)) for i in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert all(p.exitcode == 0 for p in procs)
    return found


@pytest.mark.django_db(transaction=True)
def test_two_hundred_racing_submissions_fund_exactly_fifty_and_waitlist_the_rest_in_order(tmp_path):
    scheme = SchemeFactory()
    dep = DepartementFactory()
    envelope = EnvelopeFactory(scheme=scheme, region=dep.region, total_cents=CAPACITY * VOUCHER_CENTS)
    pks = [ApplicationFactory(scheme=scheme, company__departement=dep).pk for _ in range(FILES)]

    assert race(pks) == []

    envelope.refresh_from_db()
    funded = Application.objects.filter(envelope=envelope, state=State.SUBMITTED, reserved_cents__gt=0)
    waitlisted = Application.objects.filter(envelope=envelope, state=State.WAITLISTED).order_by("queue_rank")
    assert funded.count() == CAPACITY
    assert waitlisted.count() == FILES - CAPACITY
    assert envelope.committed_cents <= envelope.total_cents
    assert envelope.committed_cents == CAPACITY * VOUCHER_CENTS
    assert ledger_totals(envelope.pk)["committed_cents"] == envelope.committed_cents
    # Receipt order: the funded files are exactly the first 50 receipts, the waiting list the next 150.
    assert sorted(funded.values_list("queue_rank", flat=True)) == list(range(1, CAPACITY + 1))
    assert list(waitlisted.values_list("queue_rank", flat=True)) == list(range(CAPACITY + 1, FILES + 1))
    assert [a.waitlist_position() for a in waitlisted[:3]] == [1, 2, 3]

    advisor = UserFactory(advisor=True, organisation__departements=[dep])
    first_waiting = waitlisted.first()
    services.reject(advisor, funded.first(), "not_eligible")

    first_waiting.refresh_from_db()
    envelope.refresh_from_db()
    assert first_waiting.state == State.SUBMITTED
    assert first_waiting.reserved_cents == VOUCHER_CENTS
    assert envelope.committed_cents == CAPACITY * VOUCHER_CENTS
    assert ledger_totals(envelope.pk)["committed_cents"] == envelope.committed_cents
    assert (
        Application.objects.filter(envelope=envelope, state=State.WAITLISTED).count() == FILES - CAPACITY - 1
    )


@pytest.mark.django_db(transaction=True)
def test_racing_submissions_for_the_same_company_open_only_one_file():
    scheme = SchemeFactory()
    dep = DepartementFactory()
    EnvelopeFactory(scheme=scheme, region=dep.region)
    first = ApplicationFactory(scheme=scheme, company__departement=dep)
    pks = [first.pk] + [ApplicationFactory(scheme=scheme, company=first.company).pk for _ in range(7)]

    errors = race(pks, workers=8)

    assert (
        Application.objects.filter(company=first.company, state__in=["submitted", "waitlisted"]).count() == 1
    )
    assert len(errors) == 7
    assert all("Conflict" in e or "ServiceError" in e for e in errors)
