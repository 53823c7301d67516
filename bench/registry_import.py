"""Time the SIRENE stock import at national scale against a bare PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/registry_import.py \
        [--rows 2000000] [--establishments-rows N] [--workdir DIR] [--plain]

Writes SIRENE-shaped stock files (every INSEE column, valid SIRENs and SIRETs; DuckDB generates
them in SQL, Python zips them as INSEE does), imports them into a throw-away database on the
server of DATABASE_URL with `manage.py import_sirene` in a child process (whose peak RSS,
DuckDB included, is measured), then imports a newer stock (1 % renamed, 0.5 % ceased, 0.5 % new)
and, in the same run, times a bare `COPY` of the same CSV rows into empty tables. Prints one
JSON line last. Full stock: --rows 30000000 --establishments-rows 44000000 (check `df -h` first:
about 40 GB of files in the work directory, two stocks each as CSV and zip, deleted at the end unless
--workdir is given; the database needs room beside them).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import prepare_database  # noqa: E402


def luhn_key(prefix, length):
    """SQL: the check digit completing the digit string `prefix` (length-1 digits) to a Luhn number."""
    from tremplin.registry.sirene import luhn_sum

    return f"CAST((10 - {luhn_sum(f'{prefix} || {chr(39)}0{chr(39)}', length)} % 10) % 10 AS VARCHAR)"


def pick(values, index):
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"[{listed}][1 + ({index}) % {len(values)}]"


NAF_CODES = ["62.01Z", "10.71C", "47.11B", "43.21A", "56.10A"]
# Columns both files fill alike: (suffix of the column's name, SQL).
COMMON = {"nomenclatureActivitePrincipale": "'NAFRev2'", "caractereEmployeur": "'N'"}


def common(kind):
    return {f"{name}{kind}": value for name, value in COMMON.items()} | {"dateDebut": "'2020-01-01'"}


def legal_units_sql(rows, version):
    """StockUniteLegale rows 0..rows-1 (plus 0.5 % new ones in version 2)."""
    from tremplin.registry.sirene import UNITE_LEGALE_COLUMNS

    total = rows + (rows // 200 if version == 2 else 0)
    values = {
        "siren": "siren",
        "statutDiffusionUniteLegale": "CASE WHEN i % 50 = 7 THEN 'P' ELSE 'O' END",
        "dateCreationUniteLegale": "strftime(DATE '1980-01-01' + CAST(i % 16000 AS INTEGER), '%Y-%m-%d')",
        "trancheEffectifsUniteLegale": pick(["NN", "00", "01", "02", "03", "11", "12"], "i"),
        "anneeEffectifsUniteLegale": "'2023'",
        "dateDernierTraitementUniteLegale": "'2025-06-14T10:22:31.000'",
        "categorieEntreprise": pick(["PME", "PME", "ETI", ""], "i"),
        "etatAdministratifUniteLegale": (
            f"CASE WHEN i % 10 = 3 OR ({version} = 2 AND i % 200 = 1) THEN 'C' ELSE 'A' END"
        ),
        "nomUniteLegale": "CASE WHEN i % 3 = 0 THEN 'NOM' || (i % 9973) ELSE '' END",
        "prenom1UniteLegale": "CASE WHEN i % 3 = 0 THEN 'PRENOM' || (i % 97) ELSE '' END",
        "denominationUniteLegale": (
            f"CASE WHEN i % 3 = 0 THEN '' WHEN {version} = 2 AND i % 100 = 2 THEN 'NOUVELLE SOCIETE ' || i "
            "ELSE 'SOCIETE ' || i END"
        ),
        "categorieJuridiqueUniteLegale": "CASE WHEN i % 3 = 0 THEN '1000' ELSE '5499' END",
        "activitePrincipaleUniteLegale": pick(NAF_CODES, "i"),
        "nicSiegeUniteLegale": "'0001' || " + luhn_key("siren || '0001'", 14),
        "activitePrincipaleNAF25UniteLegale": pick(["62.01Y", "10.71C", "47.11F", "43.21A", "56.11Y"], "i"),
        "economieSocialeSolidaireUniteLegale": "'N'",
        "unitePurgeeUniteLegale": "''",
        "nombrePeriodesUniteLegale": "'3'",
        **common("UniteLegale"),
    }
    columns = ", ".join(f"{values.get(name, chr(39) * 2)} AS {name}" for name in UNITE_LEGALE_COLUMNS)
    prefix = "CAST(10000000 + i AS VARCHAR)"
    return f"SELECT {columns} FROM (SELECT i, {prefix} || {luhn_key(prefix, 9)} AS siren FROM range({total}) t(i))"


def establishments_sql(rows, legal_units, version, communes):
    """StockEtablissement: establishment j belongs to legal unit j % legal_units, rank j // legal_units + 1."""
    from tremplin.registry.sirene import ETABLISSEMENT_COLUMNS

    total = rows + (legal_units // 200 if version == 2 else 0)
    codes = pick([code for code, _postal_code, _name in communes], "j * 7919")
    postal = pick([postal_code for _code, postal_code, _name in communes], "j * 7919")
    names = pick([name for _code, _postal_code, name in communes], "j * 7919")
    values = {
        "siren": "siren",
        "nic": "nic",
        "siret": "siren || nic",
        "statutDiffusionEtablissement": "CASE WHEN u % 50 = 7 THEN 'P' ELSE 'O' END",
        "dateCreationEtablissement": "strftime(DATE '1980-01-01' + CAST(u % 16000 AS INTEGER), '%Y-%m-%d')",
        "trancheEffectifsEtablissement": pick(["NN", "00", "01", "02", "03"], "j"),
        "dateDernierTraitementEtablissement": "'2025-06-14T10:22:31.000'",
        "etablissementSiege": "CASE WHEN rank = 1 THEN 'true' ELSE 'false' END",
        "numeroVoieEtablissement": "CAST(1 + j % 120 AS VARCHAR)",
        "typeVoieEtablissement": pick(["RUE", "AV", "BD", "PL", "CHE"], "j"),
        "libelleVoieEtablissement": (
            f"CASE WHEN {version} = 2 AND u % 100 = 5 THEN 'DU NOUVEAU QUARTIER' ELSE 'DE LA REPUBLIQUE' END"
        ),
        "codePostalEtablissement": postal,
        "libelleCommuneEtablissement": names,
        "codeCommuneEtablissement": codes,
        "etatAdministratifEtablissement": (
            f"CASE WHEN u % 10 = 3 OR ({version} = 2 AND u % 200 = 1) THEN 'F' ELSE 'A' END"
        ),
        "activitePrincipaleEtablissement": pick(NAF_CODES, "j"),
        "nombrePeriodesEtablissement": "'2'",
        **common("Etablissement"),
    }
    columns = ", ".join(f"{values.get(name, chr(39) * 2)} AS {name}" for name in ETABLISSEMENT_COLUMNS)
    # The new legal units of version 2 get their head office (rows beyond `rows`).
    unit = f"CASE WHEN j < {rows} THEN j % {legal_units} ELSE {legal_units} + j - {rows} END"
    prefix = "CAST(10000000 + u AS VARCHAR)"
    rank_sql = f"CASE WHEN j < {rows} THEN j // {legal_units} + 1 ELSE 1 END"
    return (
        f"SELECT {columns} FROM (SELECT *, rank_text || {luhn_key('siren || rank_text', 14)} AS nic FROM ("
        f"SELECT *, {prefix} || {luhn_key(prefix, 9)} AS siren, lpad(CAST(rank AS VARCHAR), 4, '0') AS rank_text "
        f"FROM (SELECT j, u, {rank_sql} AS rank FROM (SELECT j, {unit} AS u FROM range({total}) t(j)))))"
    )


def read_communes():
    import csv

    with (ROOT / "data" / "reference" / "communes.csv").open(newline="", encoding="utf-8") as f:
        return [
            (row["code"], row["postal_codes"].split()[0], row["name"].upper())
            for row in csv.DictReader(f)
            if row["postal_codes"]
        ][:3000]


def write_stock(con, sql, csv_path, zipped):
    con.execute(f"COPY ({sql}) TO '{csv_path}' (FORMAT csv, HEADER true, QUOTE '\"')")
    if not zipped:
        return csv_path
    zip_path = csv_path.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.write(csv_path, csv_path.name)
    return zip_path


def bare_copy(csv_path, table, columns):
    """Seconds to COPY the raw CSV rows into an empty table of text columns: the floor."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in columns)})")
        conn.commit()
        started = time.monotonic()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            with csv_path.open("rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        elapsed = time.monotonic() - started
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return elapsed


def run_import(units, establishments):
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "import_sirene",
            "--unites-legales",
            str(units),
            "--etablissements",
            str(establishments),
        ],
        check=True,
        stderr=None,
    )
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000, help="legal units")
    parser.add_argument(
        "--establishments-rows", type=int, help="establishments (default: 1.47 per legal unit)"
    )
    parser.add_argument("--workdir", type=Path, help="write the files here and keep them")
    parser.add_argument("--plain", action="store_true", help="import the plain CSV files instead of the zips")
    args = parser.parse_args()
    establishments_rows = args.establishments_rows or round(args.rows * 1.47)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server: the bench compares with its COPY.")

    prepare_database("registry")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command

    from tremplin.registry.models import Company, Establishment
    from tremplin.registry.reference import load_reference_data
    from tremplin.registry.sirene import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tn-bench-registry-files-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.monotonic()
        con = duckdb.connect(config={"memory_limit": "1GB", "threads": 2})
        communes = read_communes()
        files = {}
        for version in (1, 2):
            units = workdir / f"StockUniteLegale_v{version}.csv"
            etabs = workdir / f"StockEtablissement_v{version}.csv"
            files[version] = (
                write_stock(con, legal_units_sql(args.rows, version), units, not args.plain),
                write_stock(
                    con,
                    establishments_sql(establishments_rows, args.rows, version, communes),
                    etabs,
                    not args.plain,
                ),
                units,
                etabs,
            )
        con.close()
        print(f"files written in {time.monotonic() - started:.0f} s", file=sys.stderr)
        call_command("migrate", verbosity=0)
        load_reference_data()
        django.db.connections.close_all()

        seconds = run_import(*files[1][:2])
        assert Company.objects.count() == args.rows and Establishment.objects.count() == establishments_rows
        update_seconds = run_import(*files[2][:2])
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        copy_seconds = bare_copy(files[1][2], "bare_unite_legale", UNITE_LEGALE_COLUMNS) + bare_copy(
            files[1][3], "bare_etablissement", ETABLISSEMENT_COLUMNS
        )
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "establishments": establishments_rows,
                "seconds": round(seconds, 1),
                "copy_seconds": round(copy_seconds, 1),
                "ratio": round(seconds / copy_seconds, 2),
                "peak_rss_mb": round(peak_rss_mb),
                "update_seconds": round(update_seconds, 1),
                "input": "csv" if args.plain else "zip",
            }
        )
    )


if __name__ == "__main__":
    main()
