#!/usr/bin/env python
"""Routing: new requests routed among 10,000 advisors with 1,000,000 past requests on record.

Builds the network (40 organisations, 5 antennas each, 96 départements) and the past requests
with one match each (about 18% still open) by streamed inserts with the indexes built afterwards,
then times the real service call `tremplin.network.services.create_request` (registry lookup,
eligibility with caseloads, matches, audit; the advisors' emails are rendered by the queued task)
and, as a baseline in the same run, a primary-key lookup of a match.

Runs on a throw-away database (SQLite in a temp folder, or a fresh
throw-away database on the PostgreSQL server of DATABASE_URL). Prints one JSON line last.

    .venv/bin/python bench/routing.py --advisors 10000 --requests 1000000 --routes 300
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import luhn, prepare_database  # noqa: E402

ORGANISATIONS = 40
ANTENNAS_PER_ORGANISATION = 5
THEMES = [
    "site-internet",
    "vente-en-ligne",
    "cybersecurite",
    "strategie-numerique",
    "financement",
    "formation",
]
BATCH = 20_000


@contextmanager
def without_indexes(connection, tables):
    """Drop the secondary indexes, unique and foreign-key constraints of `tables`, recreate them after."""
    statements = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    statements.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [table, table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [table],
                )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                statements.insert(0, definition)
    yield
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def departement_codes():
    return [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]


def build(advisors, past_requests, companies, rng):
    from django.db import connection, transaction
    from django.utils import timezone

    from tremplin.accounts.models import User
    from tremplin.network.models import AdvisorProfile, Antenna, Match, Organisation, Request, Theme
    from tremplin.registry.models import Company, Departement, Region

    region = Region.objects.create(code="84", name="Région du banc")
    codes = departement_codes()
    Departement.objects.bulk_create(
        Departement(code=c, name=f"Département {c}", region=region) for c in codes
    )
    themes = Theme.objects.bulk_create(Theme(code=c, label=c) for c in THEMES)
    theme_ids = [t.pk for t in themes]
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i}", kind="cci" if i % 2 else "cma") for i in range(ORGANISATIONS)
    )
    antennas = []
    for organisation in organisations:
        for j in range(ANTENNAS_PER_ORGANISATION):
            antennas.append(Antenna(organisation=organisation, name=f"Antenne {j}"))
    antennas = Antenna.objects.bulk_create(antennas)
    antenna_links = []
    for k, antenna in enumerate(antennas):
        # Every département is covered by a few antennas of different organisations.
        for offset in (0, 31, 67):
            antenna_links.append(
                Antenna.departements.through(
                    antenna_id=antenna.pk, departement_id=codes[(k + offset) % len(codes)]
                )
            )
    Antenna.departements.through.objects.bulk_create(antenna_links)

    User.objects.bulk_create(
        (
            User(
                email=f"conseiller{i}@bench.fr",
                password="!",
                role="advisor",
                organisation_id=antennas[i % len(antennas)].organisation_id,
            )
            for i in range(advisors)
        ),
        batch_size=BATCH,
    )
    advisor_ids = list(User.objects.filter(role="advisor").order_by("pk").values_list("pk", flat=True))
    AdvisorProfile.objects.bulk_create(
        (AdvisorProfile(user_id=pk, antenna=antennas[i % len(antennas)]) for i, pk in enumerate(advisor_ids)),
        batch_size=BATCH,
    )
    profile_ids = list(AdvisorProfile.objects.order_by("user_id").values_list("pk", flat=True))
    AdvisorProfile.specialties.through.objects.bulk_create(
        (
            AdvisorProfile.specialties.through(advisorprofile_id=pk, theme_id=t)
            for pk in profile_ids
            for t in rng.sample(theme_ids, 2)
        ),
        batch_size=BATCH,
    )
    Company.objects.bulk_create(
        (
            Company(
                siren=luhn(f"{30000000 + i:08d}"),
                denomination=f"Entreprise {i}",
                headcount_bracket="02",
                legal_form="5710",
                naf_code="47.11B",
                departement_id=codes[i % len(codes)],
                head_office_commune_code="",
            )
            for i in range(companies)
        ),
        batch_size=BATCH,
    )

    # Past requests and their matches: the tables' secondary indexes and constraints are dropped, the
    # rows streamed in (COPY on PostgreSQL, executemany on the raw SQLite connection), then the
    # indexes rebuilt in one pass each, which is several times faster than maintaining them per row.
    now = timezone.now()
    states = ["done"] * 6 + ["no_help", "not_reachable", "not_for_me", "pending", "taking_care"]
    request_columns = (
        "id, siret, email, theme_id, description, postal_code, commune_code, departement_id, "
        "in_registry, created_at, touched_at"
    )
    match_columns = "request_id, advisor_id, state, created_at, updated_at, reminders_sent"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Request._meta.db_table}")
        first = cursor.fetchone()[0] + 1

    def batches():
        choice = rng.choice
        for start in range(0, past_requests, BATCH):
            ids = range(first + start, first + min(start + BATCH, past_requests))
            yield (
                [
                    (i, "00000000000000", "x@bench.fr", choice(theme_ids), "-", "", "", choice(codes))
                    for i in ids
                ],
                [(i, choice(advisor_ids), choice(states)) for i in ids],
            )

    tables = [Request._meta.db_table, Match._meta.db_table]
    with transaction.atomic(), without_indexes(connection, tables):
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor:
                for requests, matches in batches():
                    with cursor.copy(f"COPY {tables[0]} ({request_columns}) FROM STDIN") as copy:
                        for row in requests:
                            copy.write_row((*row, True, now, now))
                    with cursor.copy(f"COPY {tables[1]} ({match_columns}) FROM STDIN") as copy:
                        for row in matches:
                            copy.write_row((*row, now, now, 0))
        else:
            stamp = now.isoformat(sep=" ")
            for requests, matches in batches():
                raw.executemany(
                    f"INSERT INTO {tables[0]} ({request_columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    [(*row, stamp, stamp) for row in requests],
                )
                raw.executemany(
                    f"INSERT INTO {tables[1]} ({match_columns}) VALUES (?, ?, ?, ?, ?, 0)",
                    [(*row, stamp, stamp) for row in matches],
                )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{tables[0]}', 'id'), {first + past_requests})"
            )
            # What autovacuum does on a live database: planner statistics, and the visibility map that
            # lets caseloads be counted from the index alone.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return [luhn(luhn(f"{30000000 + i:08d}") + "0001") for i in range(companies)]


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisors", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--routes", type=int, default=300)
    parser.add_argument("--companies", type=int, default=2_000)
    args = parser.parse_args()

    db = prepare_database("routing")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    # Production settings: with DEBUG on, Django records and formats every query (SQLite even runs
    # extra queries to quote parameters), which doubles the cost of a short request.
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command

    from tremplin.network.models import Match
    from tremplin.network.services import create_request

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    started = time.perf_counter()
    sirets = build(args.advisors, args.requests, args.companies, rng)
    build_s = time.perf_counter() - started

    # Warm-up: the first call imports the modules and fills the content-type cache.
    create_request(siret=sirets[0], email="dirigeant@bench.fr", theme_code=THEMES[0], description="Besoin")
    max_match = Match.objects.order_by("-pk").values_list("pk", flat=True).first()
    baseline, routed, timings = [], 0, []
    for i in range(args.routes):
        pk = rng.randint(1, max_match)
        t0 = time.perf_counter()
        Match.objects.filter(pk=pk).values_list("state", flat=True).first()
        baseline.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        request = create_request(
            siret=rng.choice(sirets),
            email="dirigeant@bench.fr",
            theme_code=THEMES[i % len(THEMES)],
            description="Besoin d'un site",
        ).request
        timings.append((time.perf_counter() - t0) * 1000)
        routed += request.matches.exists()
    print(
        f"# {db}: built in {build_s:.0f} s; {routed}/{args.routes} new requests got at least one advisor",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "database": db,
                "advisors": args.advisors,
                "requests": args.requests,
                "routes": args.routes,
                "route_p50_ms": round(statistics.median(timings), 2),
                "route_p95_ms": round(percentile(timings, 0.95), 2),
                "baseline_p50_ms": round(statistics.median(baseline), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
