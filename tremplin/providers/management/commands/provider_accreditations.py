"""Daily job: expire accreditations whose documents lapsed, remind those about to lapse."""

from datetime import date

from django.core.management.base import BaseCommand

from tremplin.providers import accreditation


class Command(BaseCommand):
    help = "Expire les habilitations sans attestations valables et envoie les rappels de renouvellement."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", type=date.fromisoformat, default=None, help="Date du traitement (AAAA-MM-JJ)."
        )

    def handle(self, *args, on=None, **options):
        expired = accreditation.expire_accreditations(on)
        reminded = accreditation.send_renewal_reminders(on)
        self.stdout.write(f"{expired} habilitation(s) expirée(s), {reminded} rappel(s) envoyé(s).")
