#!/usr/bin/env python
"""Budget race: many clients submit eligible files at once against one envelope.

Measures the real submission path (tremplin.vouchers.services.submit: the applicant's
authority checked again against the register, the account's holder against the bank,
eligibility, receipt number, conditional reservation, ledger, audit) from separate
processes, and a baseline in the same run: the same processes doing only the bare writes
(conditional UPDATE + ledger INSERT) so a noisy machine shows in both figures.

Each file's owner is a director of its company in an extract of the business register, and
has declared it; its account is the company's in an extract of the banks' accounts. Both
extracts are written in a temp folder, and the adapters pointed at them (RNE_FILE,
BANK_ACCOUNTS_FILE), before Django starts.

Runs on a throw-away database: SQLite in a temp folder by default, or a fresh
`tremplin_bench` database on the PostgreSQL server of DATABASE_URL.
Prints one JSON line last.

    .venv/bin/python bench/budget_race.py --clients 8 --files 2000 --capacity 500
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import build_data, prepare_database, write_extracts  # noqa: E402


def _real_worker(pks, barrier, out):
    from django.db import connections

    from tremplin.vouchers import services
    from tremplin.vouchers.models import Application

    connections.close_all()
    barrier.wait()
    start = time.perf_counter()
    failures = 0
    for pk in pks:
        application = Application.objects.select_related("owner").get(pk=pk)
        try:
            services.submit(application.owner, application)
        except Exception:
            failures += 1
    out.put((time.perf_counter() - start, failures))
    connections.close_all()


def _baseline_worker(envelope_id, count, barrier, out):
    """The bare writes of a submission: receipt number, conditional update, ledger-like insert."""
    from django.db import connection, connections, transaction

    from tremplin.core.models import AuditEvent
    from tremplin.schemes.models import Envelope

    connections.close_all()
    table = Envelope._meta.db_table
    barrier.wait()
    start = time.perf_counter()
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Envelope)
    for _ in range(count):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} SET receipt_counter = receipt_counter + 1 WHERE id = %s", [envelope_id]
                )
                cur.execute(
                    f"UPDATE {table} SET disbursed_cents = disbursed_cents + 0 WHERE id = %s AND committed_cents <= total_cents",
                    [envelope_id],
                )
            AuditEvent.objects.create(content_type=ct, object_id=str(envelope_id), action="bench")
    out.put((time.perf_counter() - start, 0))
    connections.close_all()


def run_parallel(target, args_per_client):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(args_per_client) + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, out)) for args in args_per_client]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    results = [out.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    return elapsed, sum(f for _, f in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=250)
    args = parser.parse_args()

    db = prepare_database("race")
    extracts = tempfile.mkdtemp(prefix="tn-bench-race-extracts-")
    os.environ["RNE_FILE"], os.environ["BANK_ACCOUNTS_FILE"] = map(str, write_extracts(extracts, args.files))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The production backend: what a submission enqueues (its notices) is stored as in production.
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    voucher_cents = 200_000
    envelope_id, pks = build_data(args.files, args.capacity, voucher_cents)
    connections.close_all()

    baseline_s, _ = run_parallel(
        _baseline_worker, [(envelope_id, len(pks[i :: args.clients])) for i in range(args.clients)]
    )
    seconds, failures = run_parallel(_real_worker, [(pks[i :: args.clients],) for i in range(args.clients)])

    from tremplin.schemes.budget import ledger_totals
    from tremplin.schemes.models import Envelope, LedgerEntry
    from tremplin.vouchers.models import Application

    env = Envelope.objects.get(pk=envelope_id)
    funded = Application.objects.filter(envelope_id=envelope_id, reserved_cents__gt=0).count()
    waitlisted = Application.objects.filter(envelope_id=envelope_id, state="waitlisted").count()
    # Every owner was verified by registry and every account matched: nothing held, nothing refused.
    held = Application.objects.filter(state="authority_check").count()
    payee_matched = Application.objects.filter(payee_outcome="match").count()
    double_reserved = (
        LedgerEntry.objects.filter(kind="reserve")
        .values("application")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    ledger_ok = ledger_totals(envelope_id)["committed_cents"] == env.committed_cents
    print(
        f"# {db}: {args.files} files from {args.clients} clients; {funded} funded, {waitlisted} waitlisted, "
        f"{failures} refused; ledger matches envelope: {ledger_ok}",
        file=sys.stderr,
    )
    if failures:
        # A refused submission means the set-up no longer builds eligible files: the figures would lie.
        print(f"# {failures} submissions were refused: the bench's files are not eligible.", file=sys.stderr)
    print(
        json.dumps(
            {
                "db": db,
                "clients": args.clients,
                "files": args.files,
                "capacity": args.capacity,
                "committed": funded,
                "committed_cents": env.committed_cents,
                "overspend_cents": max(0, env.committed_cents - env.total_cents),
                "duplicates": double_reserved,
                "waitlisted": waitlisted,
                "refused": failures,
                "held_for_authority": held,
                "payee_matched": payee_matched,
                "ledger_matches": ledger_ok,
                "seconds": round(seconds, 3),
                "submissions_per_s": round(args.files / seconds, 1),
                "baseline_seconds": round(baseline_s, 3),
                "baseline_writes_per_s": round(args.files / baseline_s, 1),
            }
        )
    )
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
