from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.network.importer import COLUMNS, ImportRefused, import_network


class Command(BaseCommand):
    help = "Importe le réseau des conseillers depuis un CSV (colonnes : " + ";".join(COLUMNS) + ")."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, path, **options):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error}") from None
        try:
            report = import_network(text)
        except ImportRefused as refused:
            for _line, message in refused.errors:
                self.stderr.write(message)
            raise CommandError(refused.message) from None
        self.stdout.write(
            f"{report.advisors} conseillers importés ({report.created_advisors} nouveaux), "
            f"{report.organisations} organisations, {report.antennas} antennes."
        )
