"""What steering does when other apps' data change, once the transaction commits:
- after each reservation, check the envelope's budget thresholds (`tasks.budget_alerts`);
- after any change the pre-aggregated figures count, queue their rebuild (`refresh.request_refresh`,
  debounced): a change of a file, a claim, a payment batch, a request, a match, a diagnostic or a scheme
  (each writes an audit event) for the funnel, delays and network; a ledger movement, an envelope, a
  submitted file, an advisor's action or coaching session, a completed diagnostic or a registry import
  for the budget and reach. One rebuild redoes both.

Connected here, in steering, so that the other apps never import steering: apps depend one way.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tremplin.core.models import AuditEvent
from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.network.models import Action, CoachingSession, Match, Request
from tremplin.payments.models import PaymentBatch
from tremplin.registry.signals import registry_imported
from tremplin.schemes.models import Envelope, LedgerEntry, Scheme
from tremplin.steering.alerts import crossed
from tremplin.vouchers.models import Application, Claim, State

FLOW_MODELS = (Application, Claim, PaymentBatch, Request, Match, Diagnostic, Scheme)


@receiver(post_save, sender=LedgerEntry, dispatch_uid="steering_budget_alerts_after_reservation")
def check_thresholds_after_reservation(sender, instance, created, **kwargs):
    if created and instance.kind == LedgerEntry.Kind.RESERVE and _may_cross(instance):
        from tremplin.steering.tasks import budget_alerts

        envelope_id = instance.envelope_id
        transaction.on_commit(lambda: budget_alerts.enqueue(envelope_ids=[envelope_id]))


def _may_cross(entry):
    """Whether this reservation may have crossed a threshold: always, unless the budget says what the
    envelope held after it (`schemes.budget.try_reserve` does) and no threshold lies in between."""
    after, total = (
        getattr(entry, "envelope_committed_cents", None),
        getattr(entry, "envelope_total_cents", None),
    )
    if after is None or total is None:
        return True
    return crossed(after - entry.amount_cents, total) != crossed(after, total)


def refresh_after_commit():
    """Queue a refresh of the figures when the current transaction commits (a no-op while one is queued).

    Robust: a queue that cannot be reached is logged, and the change already committed is not reported as
    failed (the nightly refresh catches up)."""
    from tremplin.steering.refresh import request_refresh

    # One request per block, however many of its changes count (a submission writes a file, a ledger row
    # and an audit event). Django keeps the callbacks to run as (savepoint ids, function, robust): one
    # registered at the same savepoint stands or falls with this change.
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    if not any(func is request_refresh and ids == here for ids, func, _robust in connection.run_on_commit):
        transaction.on_commit(request_refresh, robust=True)


@receiver(post_save, sender=AuditEvent, dispatch_uid="steering_refresh_after_change")
def refresh_after_change(sender, instance, created, **kwargs):
    if created and instance.content_type_id in {
        ct.pk for ct in ContentType.objects.get_for_models(*FLOW_MODELS).values()
    }:
        refresh_after_commit()


@receiver(post_save, sender=LedgerEntry, dispatch_uid="steering_refresh_after_movement")
@receiver(post_save, sender=Action, dispatch_uid="steering_refresh_after_action")
@receiver(post_save, sender=CoachingSession, dispatch_uid="steering_refresh_after_coaching")
def refresh_after_creation(sender, instance, created, **kwargs):
    if created:
        refresh_after_commit()


@receiver(post_save, sender=Envelope, dispatch_uid="steering_refresh_after_envelope")
def refresh_after_envelope(sender, instance, **kwargs):
    refresh_after_commit()


@receiver(post_save, sender=Application, dispatch_uid="steering_refresh_after_file")
def refresh_after_file(sender, instance, **kwargs):
    if instance.state != State.DRAFT:  # a draft saving itself counts nowhere
        refresh_after_commit()


@receiver(post_save, sender=Diagnostic, dispatch_uid="steering_refresh_after_diagnostic")
def refresh_after_diagnostic(sender, instance, **kwargs):
    if instance.state == DiagnosticState.COMPLETED:
        refresh_after_commit()


@receiver(registry_imported, dispatch_uid="steering_refresh_after_registry_import")
def refresh_after_import(sender, report, **kwargs):
    refresh_after_commit()
