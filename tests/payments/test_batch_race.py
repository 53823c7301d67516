"""Managers clicking at the same time: one batch, one payment per claim.

Real concurrency: forked processes with their own database connections, released together by a
barrier. Runs on SQLite (file database) and PostgreSQL.
"""

import multiprocessing

import pytest
from django.db import connections

from tests.factories import UserFactory
from tests.payments.flows import advisor_of_default_territory, claim_approved_application, scheme_with_budget
from tremplin.core.errors import ServiceError
from tremplin.payments import services
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.schemes.models import Envelope, LedgerEntry
from tremplin.vouchers.models import Application, State

WORKERS = 4


def _act(action, manager_pk, target_pk, barrier, outcomes):
    connections.close_all()
    try:
        from tremplin.accounts.models import User

        manager = User.objects.get(pk=manager_pk)
        barrier.wait(timeout=60)
        if action == "create":
            from tremplin.schemes.models import Scheme

            services.create_batch(manager, Scheme.objects.get(pk=target_pk))
        else:
            services.mark_batch_paid(manager, PaymentBatch.objects.get(pk=target_pk))
        outcomes.put("ok")
    except ServiceError as refused:
        outcomes.put(refused.code)
    except Exception as exc:  # reported to the parent, which fails the test
        outcomes.put(repr(exc))
    finally:
        connections.close_all()


def race(action, manager_pk, target_pk):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    outcomes = ctx.Queue()
    connections.close_all()
    procs = [
        ctx.Process(target=_act, args=(action, manager_pk, target_pk, barrier, outcomes))
        for _ in range(WORKERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    return sorted(outcomes.get(timeout=5) for _ in procs)


@pytest.mark.django_db(transaction=True)
def test_racing_managers_create_one_batch_and_pay_each_claim_once():
    scheme = scheme_with_budget()
    advisor = advisor_of_default_territory()
    manager = UserFactory(manager=True)
    applications = [claim_approved_application(scheme, advisor) for _ in range(3)]

    created = race("create", manager.pk, scheme.pk)

    assert created.count("ok") == 1
    assert set(created) - {"ok"} <= {"nothing_to_pay", "already_in_batch"}
    assert PaymentBatch.objects.count() == 1
    assert PaymentLine.objects.count() == 3
    batch = PaymentBatch.objects.get()

    paid = race("pay", manager.pk, batch.pk)

    assert paid == ["already_paid"] * (WORKERS - 1) + ["ok"]
    assert set(Application.objects.values_list("state", flat=True)) == {State.PAID}
    for application in applications:
        assert (
            LedgerEntry.objects.filter(application=application, kind=LedgerEntry.Kind.DISBURSE).count() == 1
        )
    assert Envelope.objects.get(scheme=scheme).disbursed_cents == batch.total_cents == 3 * 200_000
