"""The one way to fetch payment batches for a user (built on the one access rule): programme
managers and auditors see every batch; nobody else sees any."""

from tremplin.accounts.access import get_for_user, scope
from tremplin.payments.models import PaymentBatch


def batches_for(user):
    return scope(PaymentBatch.objects.select_related("scheme", "created_by"), user)


def get_batch_for_user(user, pk):
    return get_for_user(batches_for(user), pk, "Lot de paiement introuvable.")
