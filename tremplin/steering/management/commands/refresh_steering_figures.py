from django.core.management.base import BaseCommand

from tremplin.steering.stock_facts import refresh


class Command(BaseCommand):
    help = (
        "Recalcule les chiffres pré-agrégés du pilotage (budget, portée), en une transaction. "
        "À programmer chaque nuit : l'éligibilité dépend du jour (ancienneté des entreprises)."
    )

    def handle(self, *args, **options):
        done = refresh()
        self.stdout.write(f"Chiffres du pilotage calculés en {done.duration_ms} ms.")
