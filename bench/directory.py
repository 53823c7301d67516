#!/usr/bin/env python
"""Directory search: representative searches through the public directory page, on a large catalogue.

Bulk-inserts N providers and M offers (with their départements served, and the directory's Coverage
index built by the same function as the services; COPY on PostgreSQL), then times the directory view
through the Django test client for a mix of searches (text with and without accents, category,
département, budget, rating, combinations, deep pages), and a baseline in the same run, interleaved
with them: the same page with no filter at all, so a noisy machine shows in both figures.

Runs on a throw-away database: SQLite in a temp folder by default, or a fresh `tremplin_bench`
database on the PostgreSQL server of DATABASE_URL. Prints one JSON line last.

    .venv/bin/python bench/directory.py --providers 20000 --offers 200000
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

DEPARTEMENTS = {
    "84": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "53": ["22", "29", "35", "56"],
    "11": ["75", "77", "78", "91", "92", "93", "94", "95"],
}
NAMES = [
    "Agence",
    "Atelier",
    "Studio",
    "Électricité",
    "Numérique",
    "Pixel",
    "Écume",
    "Forêt",
    "Réseau",
    "Clé",
]
CITIES = ["Lyon", "Grenoble", "Rennes", "Brest", "Paris", "Annecy", "Saint-Étienne", "Quimper"]


def build(providers, offers, rng):
    from django.db import connection, transaction
    from django.utils import timezone

    from tremplin.providers.models import Coverage, Offer, Provider, Status
    from tremplin.providers.search import coverage_rows, normalize
    from tremplin.registry.models import Departement, Region
    from tremplin.schemes.models import SpendCategory

    labels = dict(SpendCategory.choices)
    categories = list(SpendCategory.values)
    with transaction.atomic():
        for code, deps in DEPARTEMENTS.items():
            region = Region.objects.create(code=code, name=f"Région {code}")
            Departement.objects.bulk_create(
                Departement(code=d, name=f"Département {d}", region=region) for d in deps
            )
    codes = [d for deps in DEPARTEMENTS.values() for d in deps]
    now = timezone.now()
    per_provider = max(1, offers // providers)
    batch = []
    offer_rows = []
    for i in range(providers):
        name = f"{rng.choice(NAMES)} {rng.choice(NAMES)} {i}"
        city = rng.choice(CITIES)
        cats = rng.sample(categories, min(per_provider, len(categories)))
        while len(cats) < per_provider:
            cats.append(rng.choice(categories))
        text = normalize(" ".join([name, city, *(str(labels[c]) for c in cats)]))
        rating = round(rng.uniform(2, 5), 2) if rng.random() < 0.6 else None
        batch.append(
            Provider(
                siret=luhn(f"{1000000000000 + i * 10:013d}"[:13]),
                name=name,
                status=Status.ACCREDITED if rng.random() < 0.9 else Status.SUSPENDED,
                status_changed_at=now,
                city=city,
                departement_id=rng.choice(codes),
                search_text=text,
                rating_avg=rating,
                rating_count=rng.randint(1, 30) if rating else 0,
            )
        )
        offer_rows.append(cats)
    Provider.objects.bulk_create(batch, batch_size=5000)
    ids = list(Provider.objects.order_by("id").values_list("id", flat=True))
    made = 0
    offer_batch = []
    for provider_id, cats in zip(ids, offer_rows, strict=True):
        for category in cats:
            if made >= offers:
                break
            low = rng.randrange(20, 400) * 1_000
            offer_batch.append(
                Offer(
                    provider_id=provider_id,
                    category=category,
                    title=f"Offre {labels[category]}",
                    price_min_cents=low,
                    price_max_cents=low + rng.randrange(0, 500) * 1_000,
                    delivery_days=rng.choice([10, 20, 30, 60]),
                    reversibility="Export des données et transfert des accès à la fin du contrat.",
                )
            )
            made += 1
    Offer.objects.bulk_create(offer_batch, batch_size=5000)
    offer_ids = Offer.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=10_000)
    links, by_provider = [], {}
    for offer_id, offer in zip(offer_ids, offer_batch, strict=True):
        by_provider.setdefault(offer.provider_id, []).append(
            (offer_id, offer.category, offer.price_min_cents)
        )
        links += [(offer_id, code) for code in rng.sample(codes, 2)]
    insert(Offer.departements.through, ["offer_id", "departement_id"], links)
    # The directory index, as services.refresh_directory keeps it (same function, in bulk).
    served = {}
    for offer_id, code in links:
        served.setdefault(offer_id, []).append((offer_id, code))
    coverage = [
        (provider_id, *row)
        for provider_id, own in by_provider.items()
        for row in coverage_rows(own, [link for o in own for link in served[o[0]]])
    ]
    insert(Coverage, ["provider_id", "category", "departement_id", "price_min_cents"], coverage)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return len(ids), made


def insert(model, columns, rows):
    """Bulk insert: COPY on PostgreSQL, batched INSERTs on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cur,
            cur.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=10_000
        )


SEARCHES = [
    {"q": "electricite"},
    {"q": "Électricité numérique"},
    {"q": "agence", "category": "website"},
    {"category": "ecommerce", "departement": "69"},
    {"departement": "29"},
    {"max_price": "500"},
    {"min_rating": "4"},
    {"category": "cybersecurity", "departement": "35", "max_price": "2 000", "min_rating": "3"},
    {"q": "studio lyon"},
    {"category": "training", "page": "20"},
    {"q": "pixel", "departement": "75"},
    {"q": "introuvable"},
]


def timed(client, params, rounds):
    from django.urls import reverse

    url = reverse("providers:directory")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=20_000)
    parser.add_argument("--offers", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    db = prepare_database("directory")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    started = time.perf_counter()
    providers, offers = build(args.providers, args.offers, rng)
    print(
        f"# {db}: {providers} providers, {offers} offers in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )

    client = Client()
    for params in SEARCHES:  # warm caches and connections
        timed(client, params, 1)
    # Rounds interleave the searches and the baseline, so a busy moment of the machine weighs on both.
    baseline, by_search = [], {i: [] for i in range(len(SEARCHES))}
    for _ in range(args.rounds):
        baseline += timed(client, {}, 1)
        for i, params in enumerate(SEARCHES):
            by_search[i] += timed(client, params, 1)
    samples = [ms for got in by_search.values() for ms in got]
    for i, params in enumerate(SEARCHES):
        print(f"#   {params}: p50 {statistics.median(by_search[i]):.1f} ms", file=sys.stderr)
    print(
        json.dumps(
            {
                "db": db,
                "providers": providers,
                "offers": offers,
                "searches": len(samples),
                "search_p50_ms": round(statistics.median(samples), 1),
                "search_p95_ms": round(percentile(samples, 95), 1),
                "baseline_p50_ms": round(statistics.median(baseline), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
