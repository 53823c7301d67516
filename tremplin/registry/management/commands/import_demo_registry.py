from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Importe le répertoire SIRENE de démonstration (data/demo/), sans doublons si relancé."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        call_command(
            "import_sirene",
            demo=True,
            no_progress=options["no_progress"],
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
