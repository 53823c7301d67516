from django.core.management.base import BaseCommand

from tremplin.steering.facts import refresh


class Command(BaseCommand):
    help = (
        "Rebuild the figures of the funnel, delays and network pages now, in one transaction (changes to "
        "files and requests ask for it through the task queue)."
    )

    def handle(self, *args, **options):
        done = refresh()
        self.stdout.write(
            f"Figures computed at {done.computed_at:%Y-%m-%d %H:%M:%S} in {done.duration_ms} ms."
        )
