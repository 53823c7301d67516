"""The one way to fetch providers' quotes and reviews for a user.

A provider sees only its own quotes, and of a client only what that quote carries;
an owner sees the quotes of their own requests; an advisor those of the files of
their territory (applications_for); managers and auditors everything.
"""

from django.http import Http404

from tremplin.accounts.models import Role
from tremplin.providers.models import Quote
from tremplin.vouchers.access import applications_for
from tremplin.vouchers.models import Application


def provider_of(user):
    """The provider this user works for, or None."""
    if not user.is_authenticated or user.role != Role.PROVIDER or not user.provider_id:
        return None
    return user.provider


def quotes_for(user):
    qs = Quote.objects.select_related("provider", "request", "request__application")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return qs
    if user.role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id) if user.provider_id else qs.none()
    if user.role == Role.ADVISOR:
        return qs.filter(request__application__in=applications_for(user).values("pk"))
    return qs.filter(request__owner=user)


def get_quote_for_user(user, pk):
    try:
        return quotes_for(user).get(pk=pk)
    except (Quote.DoesNotExist, ValueError, TypeError):
        raise Http404("Devis introuvable.") from None


def get_own_application(user, pk):
    """A voucher file of this business owner (quotes and reviews start from it)."""
    try:
        return applications_for(user).get(pk=pk, owner=user)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("Dossier introuvable.") from None
