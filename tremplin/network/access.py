"""The one way to fetch requests and matches for a user."""

from django.db.models import Exists, OuterRef
from django.http import Http404

from tremplin.accounts.models import Role
from tremplin.network.models import Match, Request

NETWORK_ROLES = (Role.ADVISOR, Role.MANAGER, Role.AUDITOR)


def requests_for(user):
    """Managers and auditors: all; advisors: requests sent to their organisation; owners: their own."""
    qs = Request.objects.select_related("theme", "company", "departement")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return qs
    if user.role == Role.ADVISOR:
        if not user.organisation_id:
            return qs.filter(matches__advisor=user)
        return qs.filter(
            Exists(
                Match.objects.filter(request_id=OuterRef("pk"), advisor__organisation_id=user.organisation_id)
            )
        )
    if user.role == Role.OWNER:
        return qs.filter(created_by=user)
    return qs.none()


def get_request_for_user(user, pk):
    try:
        return requests_for(user).get(pk=pk)
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404("Demande introuvable.") from None


def matches_for(user):
    """Matches an advisor works on (their own); managers and auditors see all."""
    qs = Match.objects.select_related("request__theme", "request__company", "advisor")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return qs
    if user.role == Role.ADVISOR:
        return qs.filter(advisor=user)
    return qs.none()


def get_match_for_user(user, pk):
    try:
        return matches_for(user).get(pk=pk)
    except (Match.DoesNotExist, ValueError, TypeError):
        raise Http404("Mise en relation introuvable.") from None


def national_queue():
    """Open requests no advisor holds: never routed, or every advisor said "not for me"."""
    holding = Match.objects.filter(request_id=OuterRef("pk")).exclude(state="not_for_me")
    return (
        Request.objects.select_related("theme", "departement")
        .filter(archived_at__isnull=True)
        .exclude(Exists(holding))
    )
