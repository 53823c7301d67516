#!/usr/bin/env python
"""Diagnostic results page with a large peer population.

Fills N completed diagnostics (1,000,000 by default) by bulk insert (executemany in big
transactions on SQLite, COPY on PostgreSQL), rebuilds the peer histograms with
`peers.rebuild()` (what `manage.py rebuild_peer_stats` runs), then requests one owner's results
page through the Django test client, logged in, peer percentile included. A baseline in the
same run: the owner's diagnostic list page, same client, same session.

Runs on a throw-away database: SQLite in a temp folder by default, or a fresh
`tremplin_bench_diag` database on the PostgreSQL server of DATABASE_URL.
Prints one JSON line last.

    .venv/bin/python bench/diagnostic.py --diagnostics 1000000 --requests 300
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

from bench.common import luhn, prepare_database  # noqa: E402

COMPANIES = 2000
PROFILES = 500
CHUNK = 50_000
COLUMNS = [
    "company_id",
    "version",
    "state",
    "answers",
    "created_at",
    "updated_at",
    "completed_at",
    "overall_score",
    "level",
    "dimension_scores",
    "question_scores",
    "peer_section",
    "peer_band",
    "peer_region",
    "score_bucket",
]


def build_companies(rng):
    from tremplin.registry.models import Company, Departement, Region

    ara = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes")
    bzh = Region.objects.create(code="53", name="Bretagne")
    deps = [
        Departement.objects.create(code="69", name="Rhône", region=ara),
        Departement.objects.create(code="38", name="Isère", region=ara),
        Departement.objects.create(code="35", name="Ille-et-Vilaine", region=bzh),
        Departement.objects.create(code="29", name="Finistère", region=bzh),
    ]
    nafs = [
        "10.71C",
        "47.11B",
        "62.01Z",
        "43.21A",
        "56.10A",
        "69.20Z",
        "96.02A",
        "45.20A",
        "01.11Z",
        "86.21Z",
    ]
    brackets = ["NN", "00", "01", "02", "03", "11", "12", "21"]
    Company.objects.bulk_create(
        Company(
            siren=luhn(f"{30000000 + n:08d}"),
            denomination=f"Entreprise de test {n}",
            naf_code=rng.choice(nafs),
            headcount_bracket=rng.choice(brackets),
            departement=rng.choice(deps),
        )
        for n in range(COMPANIES)
    )
    return list(Company.objects.select_related("departement").order_by("pk"))


def profiles(rng, companies):
    """Scored answer sets to cycle through (scoring a million times would only measure scoring)."""
    from tremplin.diagnostics import questionnaire, scoring
    from tremplin.diagnostics.demo import plausible_answers

    out = []
    for _ in range(PROFILES):
        answers = plausible_answers(rng, rng.random())
        result = scoring.score(questionnaire.CURRENT, answers)
        out.append(
            (
                json.dumps(answers),
                str(scoring.rounded(result.overall)),
                result.level,
                json.dumps({k: str(scoring.rounded(v)) for k, v in result.dimensions.items()}),
                json.dumps({k: str(scoring.rounded(v)) for k, v in result.questions.items()}),
                result.bucket,
            )
        )
    return out


def rows(count, rng, companies, answer_sets):
    from django.utils import timezone

    from tremplin.diagnostics import peers

    now = timezone.now()
    groups = [(c.pk, peers.peer_fields(c)) for c in companies]
    for _ in range(count):
        company_id, fields = groups[rng.randrange(len(groups))]
        answers, overall, level, dimensions, questions, bucket = answer_sets[rng.randrange(len(answer_sets))]
        yield (
            company_id,
            "dma-2026-1",
            "completed",
            answers,
            now,
            now,
            now,
            overall,
            level,
            dimensions,
            questions,
            fields["peer_section"],
            fields["peer_band"],
            fields["peer_region"],
            bucket,
        )


def bulk_insert(engine, count, rng, companies, answer_sets):
    from django.db import connection, transaction

    from tremplin.diagnostics.models import Diagnostic

    table = Diagnostic._meta.db_table
    generator = rows(count, rng, companies, answer_sets)
    if engine == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in generator:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
        return
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    done = 0
    while done < count:
        size = min(CHUNK * 4, count - done)
        with transaction.atomic(), connection.cursor() as cursor:
            batch = [next(generator) for _ in range(size)]
            cursor.executemany(sql, batch)
        done += size


def timed(client, url, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--diagnostics", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    engine = prepare_database("diagnostic")
    os.environ["DEBUG"] = "0"
    # Persistent connections, as in production: otherwise each request also pays a PostgreSQL connect.
    os.environ.setdefault("CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from tremplin.accounts.models import User
    from tremplin.diagnostics import peers, services
    from tremplin.diagnostics.demo import plausible_answers
    from tremplin.diagnostics.models import Diagnostic

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    companies = build_companies(rng)
    answer_sets = profiles(rng, companies)

    started = time.perf_counter()
    bulk_insert(engine, args.diagnostics, rng, companies, answer_sets)
    insert_s = time.perf_counter() - started
    print(f"inserted {args.diagnostics} diagnostics in {insert_s:.1f} s ({engine})", file=sys.stderr)

    started = time.perf_counter()
    groups = peers.rebuild()
    rebuild_s = time.perf_counter() - started
    print(f"rebuilt {groups} peer groups in {rebuild_s:.1f} s", file=sys.stderr)

    owner = User.objects.create_user("dirigeant@bench.example", "bench-password-2026")
    diagnostic, _created = services.start(owner, companies[0])
    services.save_answers(owner, diagnostic, plausible_answers(rng, 0.5))
    diagnostic = services.complete(owner, diagnostic)
    assert peers.position(diagnostic) is not None
    total = Diagnostic.objects.count()

    client = Client()
    client.force_login(owner)
    results_url = reverse("diagnostics:results", args=[diagnostic.pk])
    baseline_url = reverse("diagnostics:list")
    timed(client, results_url, 10)
    timed(client, baseline_url, 10)
    results = timed(client, results_url, args.requests)
    baseline = timed(client, baseline_url, args.requests)
    print(
        json.dumps(
            {
                "diagnostics": total,
                "engine": engine,
                "insert_s": round(insert_s, 1),
                "rebuild_peer_stats_s": round(rebuild_s, 1),
                "requests": args.requests,
                "results_p50_ms": round(statistics.median(results), 2),
                "results_p95_ms": round(percentile(results, 95), 2),
                "baseline_p50_ms": round(statistics.median(baseline), 2),
                "baseline_p95_ms": round(percentile(baseline, 95), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
