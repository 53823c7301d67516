#!/usr/bin/env python
"""Open-data builds at national scale: each dataset's files rebuilt over 1,000,000 files on PostgreSQL.

Fills a throw-away database as bench/steering.py does (`bench.steering.build`), then times
`tremplin.steering.opendata.rebuild` for each dataset (the work a public download does at most once an
hour, and `export_open_data` once per publication), into a temporary folder. Prints one JSON line last:

    {"applications": ..., "companies": ..., "datasets": {"<dataset>": {"seconds": ..., "rows": ...}, ...}}

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/open_data.py
    .venv/bin/python bench/open_data.py --applications 100000 --companies 50000   # a quicker run
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import prepare_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=500_000)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    prepare_database("open_data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.steering import build
    from tremplin.steering import opendata

    build(args.companies, args.applications)
    datasets = {}
    with tempfile.TemporaryDirectory(prefix="tn-bench-open-data-") as directory:
        for dataset in opendata.DATASETS.values():
            started = time.perf_counter()
            meta = opendata.rebuild(dataset, directory)
            datasets[dataset.slug] = {
                "seconds": round(time.perf_counter() - started, 2),
                "rows": meta["rows"],
            }
    print(json.dumps({"applications": args.applications, "companies": args.companies, "datasets": datasets}))


if __name__ == "__main__":
    main()
