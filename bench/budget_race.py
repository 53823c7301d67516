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
import csv
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import luhn, prepare_database  # noqa: E402

BIRTH_MONTH = "1975-06"


def write_extracts(folder, files):
    """The register's directors and the banks' account holders of the bench's companies."""
    from tremplin.demo.bank import company_iban

    rne, bank = Path(folder, "rne.csv"), Path(folder, "bank.csv")
    with rne.open("w", newline="", encoding="utf-8") as r, bank.open("w", newline="", encoding="utf-8") as b:
        directors, accounts = csv.writer(r), csv.writer(b)
        directors.writerow(["siren", "nom", "prenoms", "qualite", "date_naissance"])
        accounts.writerow(["iban", "titulaire"])
        for i in range(files):
            directors.writerow([company_siren(i), f"Dirigeant {i}", "Camille", "Président", BIRTH_MONTH])
            accounts.writerow([company_iban(company_siren(i)), company_name(i)])
    return rne, bank


def company_siren(i):
    return luhn(f"{20000000 + i:08d}")


def company_name(i):
    return f"Entreprise {i}"


def build_data(files, capacity, voucher_cents):
    from datetime import date, timedelta

    from django.utils import timezone

    from tremplin.accounts.models import User
    from tremplin.authority import services as authority
    from tremplin.authority.models import Capacity
    from tremplin.demo.bank import company_iban
    from tremplin.providers.models import Provider, Status
    from tremplin.registry.models import Company, Departement, Region
    from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
    from tremplin.vouchers.models import Application

    region = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes")
    dep = Departement.objects.create(code="69", name="Rhône", region=region)
    now = timezone.now()
    scheme = Scheme.objects.create(
        name="Chèque numérique (banc d'essai)",
        slug="bench",
        spend_categories=list(SpendCategory.values),
        window_opens_at=now - timedelta(days=1),
        window_closes_at=now + timedelta(days=30),
        payee=Scheme.Payee.BUSINESS,
        allocation=Scheme.Allocation.FCFS,
    )
    rules = [
        ("active_in_registry", {}),
        ("max_headcount_bracket", {"max": "11"}),
        ("max_declared_headcount", {"max": 10}),
        ("max_turnover", {"max_cents": 200_000_000}),
        ("min_company_age", {"months": 6}),
        ("excluded_legal_forms", {"prefixes": ["4", "7", "92"]}),
        ("de_minimis", {"ceiling_cents": 30_000_000}),
        ("one_open_voucher", {}),
    ]
    EligibilityRule.objects.bulk_create(
        EligibilityRule(scheme=scheme, kind=k, params=p, position=i) for i, (k, p) in enumerate(rules)
    )
    envelope = Envelope.objects.create(
        scheme=scheme, region=region, year=timezone.localdate().year, total_cents=capacity * voucher_cents
    )
    # Accredited with its URSSAF certificate and insurance valid for a year (the documents themselves are
    # not what the race measures).
    provider = Provider.objects.create(
        siret=luhn("8000000000001"),
        name="Agence du banc",
        status=Status.ACCREDITED,
        documents_valid_until=timezone.localdate() + timedelta(days=365),
    )
    User.objects.bulk_create(
        User(
            email=f"bench{i}@example.fr",
            password="!",
            role="owner",
            email_verified=True,
            first_name="Camille",
            last_name=f"Dirigeant {i}",
        )
        for i in range(files)
    )
    Company.objects.bulk_create(
        Company(
            siren=company_siren(i),
            denomination=company_name(i),
            created_on=date(2015, 1, 1),
            headcount_bracket="02",
            legal_form="5710",
            naf_code="47.11B",
            departement=dep,
        )
        for i in range(files)
    )
    users = list(User.objects.filter(email__startswith="bench").order_by("id"))
    companies = list(Company.objects.order_by("id"))
    birth_date = date.fromisoformat(BIRTH_MONTH + "-15")
    for user, company in zip(users, companies, strict=True):
        # Each owner says they direct the company; the register says so too: verified by registry.
        authority.declare(
            user,
            company,
            capacity=Capacity.REPRESENTATIVE,
            given_names=user.first_name,
            family_name=user.last_name,
            birth_date=birth_date,
        )
    Application.objects.bulk_create(
        Application(
            scheme=scheme,
            owner=u,
            company=c,
            declared_headcount=3,
            declared_turnover_cents=20_000_000,
            declared_de_minimis_cents=0,
            has_linked_companies=False,
            # The company's account; the bank is asked whose it is when the file is submitted.
            iban=company_iban(c.siren),
            account_holder=c.denomination,
            bank_document="bank/bench.pdf",
            provider=provider,
            spend_category="website",
            planned_spend_cents=voucher_cents * 2,
            quote="quotes/bench.pdf",
        )
        for u, c in zip(users, companies, strict=True)
    )
    return envelope.pk, list(Application.objects.order_by("id").values_list("pk", flat=True))


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
