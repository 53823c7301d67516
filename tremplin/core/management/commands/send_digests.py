from django.core.management.base import BaseCommand
from django.utils import timezone

from tremplin.core.models import NotificationFrequency
from tremplin.core.notifications import send_digests


class Command(BaseCommand):
    help = "Send the notification digests: run with --daily every day and with --weekly once a week."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument(
            "--daily", action="store_const", dest="frequency", const=NotificationFrequency.DAILY
        )
        group.add_argument(
            "--weekly", action="store_const", dest="frequency", const=NotificationFrequency.WEEKLY
        )

    def handle(self, *args, frequency, **options):
        sent = send_digests(frequency, timezone.now())
        self.stdout.write(f"{sent} {frequency} digest(s) sent.")
