"""The one way to fetch representations and mandates for a user.

A representation is its person's own: nobody else reads it here (the advisors read it on the file,
through the vouchers' access). A mandate is seen by the company's legal representatives whose right
to act is verified (its grantor among them) and by its holder; by no one else.
"""

from django.db.models import Q

from tremplin.accounts.access import get_for_user
from tremplin.authority.models import Capacity, Mandate, Representation


def _signed_in(user):
    return bool(user and getattr(user, "is_authenticated", False))


def representations_for(user):
    if not _signed_in(user):
        return Representation.objects.none()
    return Representation.objects.filter(user_id=user.pk).select_related("company", "mandate__grantor")


def get_representation_for_user(user, pk):
    return get_for_user(representations_for(user), pk, "Déclaration introuvable.")


def mandates_for(user):
    if not _signed_in(user):
        return Mandate.objects.none()
    represented = Representation.objects.filter(
        user_id=user.pk, status=Representation.Status.VERIFIED, capacity=Capacity.REPRESENTATIVE
    ).values("company_id")
    return Mandate.objects.filter(
        Q(company_id__in=represented) | Q(holder_email__iexact=user.email)
    ).select_related("company", "grantor", "revoked_by")


def get_mandate_for_user(user, pk):
    return get_for_user(mandates_for(user), pk, "Mandat introuvable.")
