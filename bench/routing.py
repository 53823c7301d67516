#!/usr/bin/env python
"""Routing: new requests routed among 10,000 advisors with 1,000,000 past requests on record.

Builds the network (40 organisations, 5 antennas each, 96 départements) and the past requests
with one match each (about 10% still open) by raw batched inserts, then times the real service
call `tremplin.network.services.create_request` (registry lookup, eligibility, caseload count,
matches, audit) and, as a baseline in the same run, a primary-key lookup of a match.

Runs on a throw-away database like bench/budget_race.py (SQLite in a temp folder, or a fresh
`tremplin_bench` database on the PostgreSQL server of DATABASE_URL). Prints one JSON line last.

    .venv/bin/python bench/routing.py --advisors 10000 --requests 1000000 --routes 300
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.budget_race import luhn, prepare_database  # noqa: E402

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

    # Past requests and their matches: raw batched inserts (ORM objects would take far longer).
    now = timezone.now()
    request_table, match_table = Request._meta.db_table, Match._meta.db_table
    states = ["done"] * 6 + ["no_help", "not_reachable", "not_for_me", "pending", "taking_care"]
    with connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {request_table}")
            first = cursor.fetchone()[0] + 1
            for start in range(0, past_requests, BATCH):
                ids = range(first + start, first + min(start + BATCH, past_requests))
                cursor.executemany(
                    f"INSERT INTO {request_table} (id, siret, email, theme_id, description, postal_code, "
                    "commune_code, departement_id, in_registry, created_at, touched_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            i,
                            "00000000000000",
                            "x@bench.fr",
                            rng.choice(theme_ids),
                            "-",
                            "",
                            "",
                            rng.choice(codes),
                            True,
                            now,
                            now,
                        )
                        for i in ids
                    ],
                )
                cursor.executemany(
                    f"INSERT INTO {match_table} (request_id, advisor_id, state, created_at, updated_at, "
                    "reminders_sent) VALUES (%s, %s, %s, %s, %s, %s)",
                    [(i, rng.choice(advisor_ids), rng.choice(states), now, now, 0) for i in ids],
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{request_table}', 'id'), {first + past_requests})"
            )
            cursor.execute(f"ANALYZE {request_table}")
            cursor.execute(f"ANALYZE {match_table}")
    else:
        with connection.cursor() as cursor:
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

    db = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
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

    # Warm-up: the first call imports the URL configuration and compiles the email templates.
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
