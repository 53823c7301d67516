"""Time the SIRENE legal-unit import on a fresh database.

    .venv/bin/python bench/sirene_import.py [--rows 100000] [--establishments]

Generates a StockUniteLegale-shaped zip with scripts/make_demo_sirene.py into a
temporary directory, migrates a throw-away SQLite database there (unless
DATABASE_URL is set: then that database is used, so point it at a scratch one),
and imports the file twice (creation, then update). Prints one JSON line last.
"""

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_demo_sirene", ROOT / "scripts" / "make_demo_sirene.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--establishments", action="store_true", help="also time the establishment file")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here and reuse them next time")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tremplin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "tremplin.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("VAR_DIR", str(workdir))  # a fresh SQLite file, never the dev database
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tremplin.registry.reference import load_reference_data
    from tremplin.registry.sirene import import_establishments, import_legal_units

    started = time.monotonic()
    units, establishments = (
        workdir / f"StockUniteLegale_{args.rows}.zip",
        workdir / f"StockEtablissement_{args.rows}.zip",
    )
    if not (units.exists() and establishments.exists()):
        load_generator().write_files(
            workdir, args.rows, seed=1, today=date(2026, 11, 1), suffix=str(args.rows)
        )
        print(f"generated {args.rows} legal units in {time.monotonic() - started:.1f} s", file=sys.stderr)
    call_command("migrate", verbosity=0)
    load_reference_data()

    # Wall-clock time, and this process's CPU time: on a shared machine the
    # second says what the import costs when the first is inflated by others.
    timings = {}
    for label in ("create", "update"):
        started, cpu = time.monotonic(), time.process_time()
        report = import_legal_units(units)
        timings[label] = (time.monotonic() - started, time.process_time() - cpu)
        print(f"legal units, {label}: {report.summary()} {timings[label][0]:.1f} s", file=sys.stderr)
        assert report.rejected == 0, report.errors[:3]
    result = {
        "rows": report.rows_read,
        "seconds": round(timings["create"][0], 2),
        "rows_per_s": round(report.rows_read / timings["create"][0]),
        "cpu_seconds": round(timings["create"][1], 2),
        "update_seconds": round(timings["update"][0], 2),
        "database": django.db.connection.vendor,
    }
    if args.establishments:
        started, cpu = time.monotonic(), time.process_time()
        report = import_establishments(establishments)
        elapsed = time.monotonic() - started
        print(f"establishments: {report.summary()} {elapsed:.1f} s", file=sys.stderr)
        result.update(
            establishments=report.rows_read,
            establishments_seconds=round(elapsed, 2),
            establishments_cpu_seconds=round(time.process_time() - cpu, 2),
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
