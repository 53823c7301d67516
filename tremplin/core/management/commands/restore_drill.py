"""The restore drill (PostgreSQL): dump this database, restore the dump into a scratch database, check
the copy and compare it with the source, then drop the copy.

    manage.py restore_drill [--keep-dump FILE] [--keep-copy]

The dump is the one a nightly backup takes (`pg_dump --format=custom`, docs/deploy.md). The copy is
checked by `manage.py check_restore` run as its own process on it (every migration applied, every
envelope equal to its ledger, rows per table), and its rows must equal the source's. Prints one JSON
line; exit status 1 when the copy differs or fails its check.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _url(params, name):
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def _run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise CommandError(f"{command[0]} a échoué : {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class Command(BaseCommand):
    help = (
        "Exercice de restauration : sauvegarde la base, la restaure dans une base temporaire et la vérifie."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-dump", type=Path, help="garder la sauvegarde dans ce fichier")
        parser.add_argument("--keep-copy", action="store_true", help="ne pas supprimer la base restaurée")

    def handle(self, *args, keep_dump=None, keep_copy=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("L'exercice de restauration se fait sur PostgreSQL (pg_dump, pg_restore).")
        for tool in ("pg_dump", "pg_restore"):
            if shutil.which(tool) is None:
                raise CommandError(f"{tool} est introuvable : installez postgresql-client.")
        params = connection.settings_dict
        source_url = _url(params, params["NAME"])
        copy_name = f"{params['NAME']}_restore_drill"[:63]
        source = StringIO()
        call_command("check_restore", stdout=source)
        expected = json.loads(source.getvalue())

        folder = Path(tempfile.mkdtemp(prefix="tn-restore-drill-"))
        dump = keep_dump or folder / "tremplin.dump"
        try:
            started = time.monotonic()
            _run(["pg_dump", "--format=custom", "--no-owner", f"--dbname={source_url}", f"--file={dump}"])
            dumped, dump_bytes = time.monotonic(), dump.stat().st_size
            with connection.cursor() as cursor:  # outside any transaction: CREATE DATABASE needs it
                cursor.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{copy_name}"')
            copy_url = _url(params, copy_name)
            _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={copy_url}", str(dump)])
            restored = time.monotonic()
            # The copy checked by another process, as a restored server would be.
            check = subprocess.run(
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "check_restore"],
                capture_output=True,
                text=True,
                env={**os.environ, "DATABASE_URL": copy_url},
            )
            found = json.loads(check.stdout.strip().splitlines()[-1]) if check.stdout.strip() else {}
        finally:
            if not keep_copy:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)

        differences = sorted(
            label
            for label in set(expected["rows"]) | set(found.get("rows", {}))
            if expected["rows"].get(label) != found.get("rows", {}).get(label)
        )
        report = {
            "dump_bytes": dump_bytes,
            "dump_seconds": round(dumped - started, 2),
            "restore_seconds": round(restored - dumped, 2),
            "tables": len(expected["rows"]),
            "rows": sum(expected["rows"].values()),
            "copy_checked": check.returncode == 0,
            "differences": differences,
            "kept_copy": copy_name if keep_copy else None,
        }
        self.stdout.write(json.dumps(report))
        if check.returncode:
            raise CommandError(f"La base restaurée ne passe pas la vérification : {check.stderr.strip()}")
        if differences:
            raise CommandError(f"La base restaurée diffère de la source : {', '.join(differences)}.")
