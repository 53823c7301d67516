"""After each reservation, check the envelope's budget thresholds (once the transaction commits).

Connected here, in steering, so that schemes never imports steering: apps depend one way.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tremplin.schemes.models import LedgerEntry


@receiver(post_save, sender=LedgerEntry, dispatch_uid="steering_budget_alerts_after_reservation")
def check_thresholds_after_reservation(sender, instance, created, **kwargs):
    if created and instance.kind == LedgerEntry.Kind.RESERVE:
        from tremplin.steering.tasks import budget_alerts

        envelope_id = instance.envelope_id
        transaction.on_commit(lambda: budget_alerts.enqueue(envelope_ids=[envelope_id]))
