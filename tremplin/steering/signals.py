"""Steering's reactions to changes in the other apps, connected here so that they never import steering:
apps depend one way.

- After each reservation, check the envelope's budget thresholds (once the transaction commits).
- After each change of a file, a claim, a payment batch, a request, a match or a diagnostic (each writes
  an audit event), ask for one rebuild of the funnel, delays and network figures (steering.facts).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tremplin.core.models import AuditEvent
from tremplin.diagnostics.models import Diagnostic
from tremplin.network.models import Match, Request
from tremplin.payments.models import PaymentBatch
from tremplin.schemes.models import LedgerEntry, Scheme
from tremplin.vouchers.models import Application, Claim

FLOW_MODELS = (Application, Claim, PaymentBatch, Request, Match, Diagnostic, Scheme)


@receiver(post_save, sender=LedgerEntry, dispatch_uid="steering_budget_alerts_after_reservation")
def check_thresholds_after_reservation(sender, instance, created, **kwargs):
    if created and instance.kind == LedgerEntry.Kind.RESERVE:
        from tremplin.steering.tasks import budget_alerts

        envelope_id = instance.envelope_id
        transaction.on_commit(lambda: budget_alerts.enqueue(envelope_ids=[envelope_id]))


@receiver(post_save, sender=AuditEvent, dispatch_uid="steering_flow_facts_after_change")
def refresh_flow_facts_after_change(sender, instance, created, **kwargs):
    if created and instance.content_type_id in {
        ct.pk for ct in ContentType.objects.get_for_models(*FLOW_MODELS).values()
    }:
        from tremplin.steering.facts import request_refresh

        transaction.on_commit(request_refresh)
