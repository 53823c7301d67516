"""Write the granted vouchers for the national de minimis register as CSV (docs/state-aid-register.md)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tremplin.steering import state_aid


def _day(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date invalide : {text!r} (attendu AAAA-MM-JJ).") from None


class Command(BaseCommand):
    help = "Exporte les chèques accordés pour le registre national des aides de minimis (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Fichier à écrire (par défaut : la sortie standard).")
        parser.add_argument("--since", type=_day, help="Première date d'octroi (AAAA-MM-JJ, incluse).")
        parser.add_argument("--until", type=_day, help="Dernière date d'octroi (AAAA-MM-JJ, incluse).")

    def handle(self, *args, output=None, since=None, until=None, **options):
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                state_aid.write_csv(stream, since, until)
        else:
            state_aid.write_csv(self.stdout, since, until)
