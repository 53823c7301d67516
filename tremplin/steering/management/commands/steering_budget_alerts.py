from django.core.management.base import BaseCommand

from tremplin.steering.tasks import budget_alerts


class Command(BaseCommand):
    help = "Enqueue the budget alerts (50, 75, 90 % committed), sent once per envelope and threshold. Schedule it."

    def handle(self, *args, **options):
        result = budget_alerts.enqueue()
        self.stdout.write(f"Budget alerts enqueued ({result.id}).")
