from django.core.management.base import BaseCommand

from tremplin.steering import refresh


class Command(BaseCommand):
    help = (
        "Rebuild every pre-aggregated figure of the steering pages now, each set in one transaction: the "
        "funnel, delays and network (steering.facts), the budget and reach (steering.stock_facts). Changes "
        "ask for it through the task queue; schedule it nightly too, since eligibility depends on the day."
    )

    def handle(self, *args, **options):
        done = refresh.refresh_all()
        self.stdout.write(
            f"Funnel, delays and network figures computed in {done.flow_duration_ms} ms; "
            f"budget and reach figures in {done.stock_duration_ms} ms."
        )
