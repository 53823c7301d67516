import csv
import sys
import time
from contextlib import ExitStack
from functools import partial

from django.core.management.base import BaseCommand, CommandError

from tremplin.core.formatting import spreadsheet_safe
from tremplin.registry import demo
from tremplin.registry.models import Commune
from tremplin.registry.reference import load_reference_data
from tremplin.registry.sirene import (
    DEFAULT_BATCH_SIZE,
    SireneFileError,
    StockRejected,
    import_establishments,
    import_legal_units,
    import_stock,
)

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Importe les fichiers stock SIRENE de l'INSEE (StockUniteLegale, StockEtablissement), "
        "en CSV, en ZIP ou en Parquet. Un fichier dont une ligne est rejetée n'est pas importé "
        "(voir --max-rejets). Une ré-importation ne réécrit que ce qui a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unites-legales", metavar="CHEMIN", help="fichier StockUniteLegale (.csv, .zip ou .parquet)"
        )
        parser.add_argument(
            "--etablissements", metavar="CHEMIN", help="fichier StockEtablissement (.csv, .zip ou .parquet)"
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="importer le répertoire de démonstration livré dans data/demo/",
        )
        parser.add_argument(
            "--errors", metavar="CHEMIN", help="écrire les lignes rejetées dans ce fichier CSV"
        )
        parser.add_argument(
            "--max-rejets",
            type=int,
            default=0,
            metavar="N",
            help="importer quand même un fichier qui a au plus N lignes aux valeurs invalides (ignorées) ; "
            "un fichier mal formé (ligne tronquée, encodage) est toujours refusé",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="lignes par lot")
        parser.add_argument(
            "--no-progress", action="store_true", help="ne pas afficher la barre de progression"
        )

    def handle(self, *args, **options):
        legal_units, establishments = options["unites_legales"], options["etablissements"]
        if options["demo"]:
            legal_units, establishments = demo.LEGAL_UNITS, demo.ESTABLISHMENTS
        if not legal_units and not establishments:
            raise CommandError("Indiquez --unites-legales, --etablissements ou --demo.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        if options["max_rejets"] < 0:
            raise CommandError("--max-rejets doit être un entier positif ou nul.")
        if establishments and not Commune.objects.exists():
            # Without communes the head office's département cannot be resolved.
            load_reference_data()

        progress = not options["no_progress"] and sys.stderr.isatty()
        with ExitStack() as stack:
            error_sink = None
            if options["errors"]:
                error_file = stack.enter_context(open(options["errors"], "w", newline="", encoding="utf-8"))
                writer = csv.writer(error_file)
                writer.writerow(["fichier", "ligne", "identifiant", "code", "erreur"])

                def error_sink(file_name, error):
                    cells = [file_name, error.line, error.identifier, error.code, error.message]
                    writer.writerow([spreadsheet_safe(cell) for cell in cells])

            importer_options = {
                "max_rejected": options["max_rejets"],
                "batch_size": options["batch_size"],
                "progress": progress,
                "error_sink": error_sink,
            }
            if legal_units and establishments:
                # One pass over both files: a first load writes each company once, with its head office.
                importer = partial(import_stock, legal_units, establishments)
            elif legal_units:
                importer = partial(import_legal_units, legal_units)
            else:
                importer = partial(import_establishments, establishments)
            self._run(importer, importer_options, options)

    def _run(self, importer, importer_options, options):
        started = time.monotonic()

        def imported(report):
            nonlocal started
            elapsed, started = time.monotonic() - started, time.monotonic()
            if options["verbosity"] > 0:
                style = self.style.WARNING if report.rejected else self.style.SUCCESS
                self.stdout.write(style(f"{report.summary()} ({elapsed:.1f} s)"))
            self._show_errors(report, options)

        try:
            importer(on_imported=imported, **importer_options)
        except StockRejected as exc:
            self._show_errors(exc.report, options)
            raise CommandError(str(exc)) from None
        except SireneFileError as exc:
            raise CommandError(str(exc)) from None

    def _show_errors(self, report, options):
        if report.rejected and not options["errors"]:
            for error in report.errors[:SHOWN_ERRORS]:
                self.stderr.write(f"  ligne {error.line} [{error.identifier}] : {error.message}")
            if report.rejected > SHOWN_ERRORS:
                self.stderr.write(f"  … et {report.rejected - SHOWN_ERRORS} autres (voir --errors).")
