import time

from django.core.management.base import BaseCommand

from tremplin.registry.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les régions, départements, communes et codes NAF livrés dans data/reference/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departements",
            nargs="+",
            metavar="CODE",
            help="ne charger que les communes de ces départements (ex. 69 35 2A)",
        )

    def handle(self, *args, departements=None, **options):
        started = time.monotonic()
        counts = load_reference_data(only_departements=departements)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(f"Référentiels chargés en {time.monotonic() - started:.1f} s : {counts}.")
            )
