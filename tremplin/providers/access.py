"""Who someone is for providers, and the one way to fetch providers' quotes for a user.

A provider sees only its own quotes, and of a client only what that quote carries;
an owner sees the quotes of their own requests; an advisor those of the files of
their territory (applications_for); managers and auditors everything.
"""

from django.db.models import Q

from tremplin.accounts.access import get_for_user, scope
from tremplin.accounts.models import Role
from tremplin.core.errors import PermissionDenied
from tremplin.providers.models import Document, Quote, QuoteRequest
from tremplin.vouchers.access import applications_for

MEMBERS_ONLY = "Seuls les membres de ce prestataire peuvent faire cette action."
MANAGERS_ONLY = "Seul un gestionnaire du programme peut faire cette action."


def is_member(user, provider):
    """Whether `user` works for `provider` (a member of its team)."""
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.PROVIDER
        and provider is not None
        and user.provider_id == provider.pk
    )


def is_manager(user):
    return bool(user and user.is_authenticated and user.role == Role.MANAGER)


def require_member(user, provider):
    if not is_member(user, provider):
        raise PermissionDenied("forbidden", MEMBERS_ONLY)


def provider_of(user):
    """The provider this user works for, or None."""
    if not user.is_authenticated or user.role != Role.PROVIDER or not user.provider_id:
        return None
    return user.provider


def quotes_for(user):
    return scope(
        Quote.objects.select_related("provider", "request", "request__application"),
        user,
        owner="request__owner",
        provider="provider_id",
        advisor=lambda advisor: Q(request__application__in=applications_for(advisor).values("pk")),
    )


def get_quote_for_user(user, pk):
    return get_for_user(quotes_for(user), pk, "Devis introuvable.")


def get_own_application(user, pk):
    """A voucher file of this business owner (quotes and reviews start from it)."""
    return get_for_user(applications_for(user).filter(owner=user), pk, "Dossier introuvable.")


def quote_requests_for(user):
    """Quote requests: an owner's own, those of an advisor's files, all for managers and auditors.
    A provider sees a request only through its own quote (quotes_for)."""
    return scope(
        QuoteRequest.objects.select_related("application"),
        user,
        owner="owner",
        advisor=lambda advisor: Q(application__in=applications_for(advisor).values("pk")),
    )


def get_own_quote_request(user, pk):
    """A quote request of this business owner, for one of their own files."""
    return get_for_user(quote_requests_for(user).filter(owner=user), pk, "Demande de devis introuvable.")


def documents_for(user):
    """A provider's documents: its members see theirs; managers and auditors all; nobody else any."""
    return scope(Document.objects.select_related("provider"), user, provider="provider_id")


def get_document_for_user(user, pk):
    return get_for_user(documents_for(user), pk, "Document introuvable.")
