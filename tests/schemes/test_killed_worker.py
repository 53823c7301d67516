"""A worker killed (SIGKILL) in the middle of a submission leaves nothing half written.

A forked process submits a file inside a transaction and reports what its transaction sees (the file
submitted, the budget reserved, the ledger row, the audit event), then waits; the test kills it there
with SIGKILL, as the kernel's OOM killer or a container stop would, and finds the file, the envelope, the
ledger and the audit trail exactly as before. Runs on SQLite (file database) and PostgreSQL.
"""

import multiprocessing
import os
import signal

import pytest
from django.db import connections, transaction

from tests.factories import ApplicationFactory, DepartementFactory, EnvelopeFactory, SchemeFactory
from tremplin.core.models import AuditEvent
from tremplin.schemes.models import LedgerEntry
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State


def _submit_and_wait(pk, report):
    connections.close_all()
    with transaction.atomic():
        application = Application.objects.select_related("owner").get(pk=pk)
        services.submit(application.owner, application)
        application.refresh_from_db()
        application.envelope.refresh_from_db()
        report.send(
            {
                "state": application.state,
                "committed_cents": application.envelope.committed_cents,
                "ledger": LedgerEntry.objects.filter(application_id=pk).count(),
                "audit": AuditEvent.objects.for_object(application).count(),
            }
        )
        signal.pause()  # killed here, before the commit


@pytest.mark.django_db(transaction=True)
def test_a_submission_killed_before_its_commit_leaves_no_trace():
    scheme = SchemeFactory()
    departement = DepartementFactory()
    envelope = EnvelopeFactory(scheme=scheme, region=departement.region, total_cents=1_000_000)
    application = ApplicationFactory(scheme=scheme, company__departement=departement)
    audit_before = AuditEvent.objects.for_object(application).count()
    ctx = multiprocessing.get_context("fork")
    ours, theirs = ctx.Pipe()
    connections.close_all()

    worker = ctx.Process(target=_submit_and_wait, args=(application.pk, theirs))
    worker.start()
    assert ours.poll(120), "the worker never reached the middle of its transaction"
    seen = ours.recv()
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=60)

    assert worker.exitcode == -signal.SIGKILL
    # Inside its transaction the worker had written the whole submission...
    assert seen["state"] == State.SUBMITTED
    assert seen["committed_cents"] > 0 and seen["ledger"] == 1 and seen["audit"] > audit_before
    # ...and none of it outlived the kill.
    application.refresh_from_db()
    envelope.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.reserved_cents == 0 and application.queue_rank is None
    assert envelope.committed_cents == 0 and envelope.receipt_counter == 0
    assert not LedgerEntry.objects.filter(envelope=envelope).exists()
    assert AuditEvent.objects.for_object(application).count() == audit_before
    # The database is usable at once: the same submission now goes through.
    services.submit(application.owner, application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
