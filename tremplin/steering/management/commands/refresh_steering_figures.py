from django.core.management.base import BaseCommand

from tremplin.steering import facts, stock_facts


class Command(BaseCommand):
    help = (
        "Rebuild every pre-aggregated figure of the steering pages now, each set in one transaction: the "
        "funnel, delays and network (steering.facts), the budget and reach (steering.stock_facts). Changes "
        "ask for it through the task queue; schedule it nightly too, since eligibility depends on the day."
    )

    def handle(self, *args, **options):
        flow = facts.refresh()
        stock = stock_facts.refresh()
        self.stdout.write(
            f"Funnel, delays and network figures computed in {flow.duration_ms} ms; "
            f"budget and reach figures in {stock.duration_ms} ms."
        )
