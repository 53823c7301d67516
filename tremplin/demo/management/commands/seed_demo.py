from django.core.management import BaseCommand, call_command

from tremplin.demo.seed import DEMO_SCHEME_SLUG, seed
from tremplin.schemes.models import Scheme


class Command(BaseCommand):
    help = "Charge des données de démonstration réalistes (sans effet si elles sont déjà là)."

    def handle(self, *args, **options):
        call_command("load_reference_data", verbosity=0)
        call_command("import_demo_registry", "--no-progress", verbosity=0)
        if Scheme.objects.filter(slug=DEMO_SCHEME_SLUG).exists():
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        summary = seed()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées : " + summary))
