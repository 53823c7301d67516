#!/usr/bin/env python
"""Steering pages at national scale: every page of the steering menu over 1,000,000 files on PostgreSQL.

Builds a throw-away PostgreSQL database (bench.common.prepare_database: DATABASE_URL's server, by
default the local one), migrates it, and fills it in SQL (`INSERT … SELECT … FROM generate_series`,
every column from the model's own defaults unless the bench sets it): the reference geography, one
scheme with an envelope per région, COMPANIES companies spread over every département, NAF section and
headcount bracket, APPLICATIONS files over them in every state with their dates spread over 18 months,
the ledger that goes with them (reservation, firm commitment, payment), advisor requests with their
matches, advisor actions and diagnostics. Then ANALYZE, and the refresh of the steering's pre-aggregated
figures (`tremplin.steering.stock_facts.refresh`, timed: "refresh_s"), the budget and reach pages' source.

Each page of `tremplin.steering.menu.PAGES` (or of `--pages`) is requested through Django's full stack
(test client: URL resolution, middleware, session, the page's queries, template) as the programme
manager (the nation) and as an organisation head (one territory), REPEAT times after a warm-up; the baseline is a
primary-key page of the same stack in the same run (one file's page, `vouchers:detail`, as the
manager). The funnel, delays and network pages read pre-aggregated tables: the bench rebuilds them once
the data is in (`steering.facts.refresh`, as the task queue would) and reports how long it took
(`refresh_s`). Prints one JSON line last:

    {"applications": ..., "companies": ..., "build_s": ..., "refresh_s": ...,
     "pages": {"<page>": p95_ms, ...}, "max_p95_ms": ..., "baseline_p95_ms": ...}

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/steering.py
    .venv/bin/python bench/steering.py --applications 100000 --companies 50000   # a quicker run
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import prepare_database  # noqa: E402

# States and their share of the files (per thousand), roughly what a programme in its second year holds.
STATES = [
    ("draft", 120),
    ("submitted", 40),
    ("under_review", 60),
    ("info_requested", 20),
    ("waitlisted", 30),
    ("approved", 180),
    ("rejected", 90),
    ("claim_submitted", 50),
    ("claim_under_review", 30),
    ("claim_approved", 40),
    ("paid", 260),
    ("expired", 40),
    ("withdrawn", 30),
    ("clawed_back", 10),
]
GRANTED = {
    "approved",
    "claim_submitted",
    "claim_under_review",
    "claim_approved",
    "paid",
    "expired",
    "clawed_back",
}
# The later files of a company are finished ones.
FINISHED = [("paid", 60), ("rejected", 20), ("expired", 10), ("withdrawn", 7), ("clawed_back", 3)]
BRACKETS = ["00", "01", "02", "03", "11", "12"]
NAF = ["47.91B", "56.10A", "43.22A", "62.01Z", "96.02A", "45.20A", "68.31Z", "71.12B", "10.71C", "86.90D"]


def percentile_95(samples):
    """The 95th percentile, nearest-rank method (the value below which 95 % of the samples fall)."""
    ordered = sorted(samples)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def weighted_case(shares, over):
    """A SQL CASE giving each state its share (per total) of the rows, by `over` modulo the total."""
    total, whens = sum(share for _, share in shares), []
    bound = 0
    for state, share in shares:
        bound += share
        whens.append(f"WHEN ({over} %% {total}) < {bound} THEN '{state}'")
    return "CASE " + " ".join(whens) + " END"


def sql_array(values):
    """A SQL array literal of our own identifiers (codes, numbers: no quote in them)."""
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def insert_series(model, count, values, *, start=1):
    """INSERT `count` rows of `model` in one statement; `values`: {column: SQL expression over g}.

    Every other column takes the model field's default (a parameter), or NULL where the field allows it."""
    from django.db import connection

    columns, expressions, arguments = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expressions.append(values[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        elif field.has_default() or (not field.null and field.empty_strings_allowed):
            default = field.get_default() if field.has_default() else ""
            expressions.append("%s")
            arguments.append(field.get_db_prep_save(default, connection))
        elif field.null:
            expressions.append("NULL")
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no default, give it a value")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM generate_series({int(start)}, {int(start + count - 1)}) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)


def build(companies, applications):
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tremplin.accounts.models import Role, User
    from tremplin.network.models import Action, Organisation
    from tremplin.registry.models import Company, Departement, Region
    from tremplin.schemes.models import Envelope, LedgerEntry, Scheme
    from tremplin.vouchers.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)
    codes = list(Departement.objects.order_by("code").values_list("code", flat=True))
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    now = timezone.now()
    scheme = Scheme.objects.create(
        name="Chèque bench",
        slug="cheque-bench",
        window_opens_at=now - timedelta(days=540),
        window_closes_at=now + timedelta(days=180),
        cap_cents=300_000,
        min_spend_cents=50_000,
    )
    # Room for every file's reservation (at most 2,900 € each) even where a région gets twice its share:
    # the envelopes' check constraint refuses any overcommitment.
    total_cents = max(5_000_000_000, 2 * applications * 290_000 // len(regions))
    envelopes = {
        code: Envelope.objects.create(
            scheme=scheme, region_id=code, year=now.year, total_cents=total_cents
        ).pk
        for code in regions
    }
    manager = User.objects.create_user("gestionnaire@bench.example", "bench-password", role=Role.MANAGER)
    owners = 1000
    insert_series(
        User,
        owners,
        {
            "email": "'dirigeant' || g || '@bench.example'",
            "role": f"'{Role.OWNER}'",
            "password": "'!'",
            "is_active": "true",
            "email_verified": "true",
            "date_joined": "now()",
        },
    )
    first_owner = User.objects.filter(email="dirigeant1@bench.example").values_list("pk", flat=True).get()

    insert_series(
        Company,
        companies,
        {
            "siren": "lpad((100000000 + g)::text, 9, '0')",
            "denomination": "'Entreprise ' || g",
            "departement_id": f"({sql_array(codes)})[1 + (g %% {len(codes)})]",
            "naf_code": f"({sql_array(NAF)})[1 + ((g / 7) %% {len(NAF)})]",
            "headcount_bracket": f"({sql_array(BRACKETS)})[1 + ((g / 3) %% {len(BRACKETS)})]",
            "created_on": "(now() - ((g %% 9000) || ' days')::interval)::date",
            "state": "'A'",
            "diffusion": "CASE WHEN g %% 50 = 0 THEN 'P' ELSE 'O' END",
        },
    )
    first_company = Company.objects.order_by("pk").values_list("pk", flat=True).first()

    # A company holds at most one open file: its first file takes any state, the later ones are done.
    first_round = weighted_case(STATES, "g")
    later_rounds = weighted_case(FINISHED, "g")
    state = f"CASE WHEN (g - 1) / {companies} = 0 THEN {first_round} ELSE {later_rounds} END"
    region_of = dict(Departement.objects.values_list("code", "region_id"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_envelope (departement text PRIMARY KEY, envelope bigint)")
        cursor.executemany(
            "INSERT INTO bench_envelope VALUES (%s, %s)",
            [(code, envelopes[region_of[code]]) for code in codes],
        )
    file_company = f"{first_company} + ((g - 1) %% {companies})"
    company_expr = f"{first_company} + ((g * 7919) %% {companies})"
    insert_series(
        Application,
        applications,
        {
            "scheme_id": str(scheme.pk),
            "owner_id": f"{first_owner} + (((g - 1) %% {companies}) %% {owners})",
            "company_id": file_company,
            "state": state,
            "amount_cents": "100000 + (g %% 20) * 10000",
            "planned_spend_cents": "200000 + (g %% 20) * 20000",
            "reserved_cents": "100000 + (g %% 20) * 10000",
            "spend_category": "'website'",
            "created_at": "now() - ((g %% 540) || ' days')::interval - interval '3 days'",
            "updated_at": "now() - ((g %% 540) || ' days')::interval",
            "submitted_at": "now() - ((g %% 540) || ' days')::interval - interval '2 days'",
            "decided_at": "now() - ((g %% 540) || ' days')::interval + ((g %% 40) || ' days')::interval",
            "rules_version": "1",
        },
    )
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        # Drafts were never submitted, and only decided files have a decision date.
        cursor.execute(f"UPDATE {table} SET submitted_at = NULL, decided_at = NULL WHERE state = 'draft'")
        cursor.execute(
            f"UPDATE {table} SET decided_at = NULL "
            "WHERE state IN ('submitted', 'under_review', 'info_requested', 'waitlisted')"
        )
        cursor.execute(
            f"UPDATE {table} a SET envelope_id = e.envelope FROM registry_company c, bench_envelope e "
            "WHERE a.company_id = c.id AND e.departement = c.departement_id AND a.state <> 'draft'"
        )
        ledger = LedgerEntry._meta.db_table
        granted = ", ".join(f"'{state}'" for state in sorted(GRANTED))
        for kind, condition, when in (
            ("reserve", "state <> 'draft'", "submitted_at"),
            ("commit", f"state IN ({granted})", "decided_at"),
            ("disburse", "state IN ('paid', 'clawed_back')", "decided_at + interval '45 days'"),
            ("clawback", "state = 'clawed_back'", "decided_at + interval '120 days'"),
        ):
            cursor.execute(
                f"INSERT INTO {ledger} (envelope_id, application_id, kind, amount_cents, at) "
                f"SELECT envelope_id, id, '{kind}', amount_cents, {when} FROM {table} "
                f"WHERE {condition} AND envelope_id IS NOT NULL"
            )
        cursor.execute(
            "UPDATE schemes_envelope e SET committed_cents = coalesce(t.committed, 0), "
            "disbursed_cents = coalesce(t.disbursed, 0) FROM ("
            f"SELECT envelope_id, sum(CASE kind WHEN 'reserve' THEN amount_cents WHEN 'release' THEN -amount_cents "
            "WHEN 'clawback' THEN -amount_cents ELSE 0 END) AS committed, "
            "sum(CASE kind WHEN 'disburse' THEN amount_cents ELSE 0 END) AS disbursed "
            f"FROM {ledger} GROUP BY envelope_id) t WHERE t.envelope_id = e.id"
        )

    # The advisor network: one organisation per région, one head each, actions on companies.
    heads = []
    for code in regions:
        organisation = Organisation.objects.create(name=f"CCI {code}", kind=Organisation.Kind.CCI)
        organisation.departements.set([c for c in codes if region_of[c] == code])
        heads.append(
            User.objects.create_user(
                f"responsable{code}@bench.example",
                "bench-password",
                role=Role.ADVISOR,
                organisation=organisation,
                heads_organisation=True,
            )
        )
    insert_series(
        Action,
        applications // 5,
        {
            "kind": "'awareness'",
            "advisor_id": f"(ARRAY[{', '.join(str(head.pk) for head in heads)}])[1 + (g %% {len(heads)})]",
            "company_id": company_expr,
            "on": "(now() - ((g %% 540) || ' days')::interval)::date",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return manager, heads, Application.objects.order_by("pk").values_list("pk", flat=True).first()


def measure(client, url, repeat):
    client.get(url)  # warm-up: templates, the first query plans
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return percentile_95(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--pages", help="only these pages, by URL name, comma-separated (e.g. steering:budget,steering:reach)"
    )
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    prepare_database("steering")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tests.second_factor import give_device, verify_session
    from tremplin.steering.menu import PAGES

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    manager, heads, a_file = build(args.companies, args.applications)
    built_s = time.perf_counter() - started

    # The steering pages read pre-aggregated tables: rebuild them as the tasks would.
    from tremplin.steering import facts, stock_facts

    def refresh():
        facts.refresh()
        stock_facts.refresh()

    started = time.perf_counter()
    refresh()
    refresh_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def client_for(user):
        give_device(user)
        client = Client()
        client.force_login(user)
        verify_session(client, user)
        return client

    as_manager, as_head = client_for(manager), client_for(heads[0])
    baseline = measure(as_manager, reverse("vouchers:detail", args=[a_file]), args.repeat)
    pages = {}
    names = args.pages.split(",") if args.pages else [page.url_name for page in PAGES]
    national = {page.url_name for page in PAGES if getattr(page, "national", False)}
    for name in names:
        url = reverse(name)
        pages[name] = round(measure(as_manager, url, args.repeat), 1)
        if name not in national:  # a national page (the State-aid register) is not a head's
            pages[name + " (territory)"] = round(measure(as_head, url, args.repeat), 1)
    print(
        json.dumps(
            {
                "applications": args.applications,
                "companies": args.companies,
                "build_s": round(built_s, 1),
                "refresh_s": round(refresh_s, 1),
                "pages": pages,
                "max_p95_ms": max(pages.values()),
                "baseline_p95_ms": round(baseline, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
