from django.core.management.base import BaseCommand

from tremplin.diagnostics import peers


class Command(BaseCommand):
    help = "Recompute the peer score histograms from every completed diagnostic."

    def handle(self, *args, **options):
        groups = peers.rebuild()
        self.stdout.write(f"{groups} peer groups rebuilt.")
