from django.core.management.base import BaseCommand
from django.utils import timezone

from tremplin.network.services import archive_stale_requests, send_match_reminders


class Command(BaseCommand):
    help = "Relance les conseillers (9, 21 et 45 jours) et archive les demandes inactives depuis 6 mois."

    def handle(self, **options):
        today = timezone.localdate()
        reminded = send_match_reminders(today)
        archived = archive_stale_requests(today)
        self.stdout.write(f"{reminded} relance(s) envoyée(s), {archived} demande(s) archivée(s).")
