from django.core.management.base import BaseCommand

from tremplin.steering import opendata


class Command(BaseCommand):
    help = (
        "Écrit dans DIR tous les fichiers de données ouvertes (CSV, Parquet, schémas et datapackage.json), "
        "pour les publier sur data.gouv.fr. Les noms des fichiers portent l'heure de génération."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")

    def handle(self, directory, **options):
        written = opendata.export(directory)
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"{len(written)} fichiers écrits dans {directory}."))
