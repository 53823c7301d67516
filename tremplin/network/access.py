"""The one way to fetch requests and matches for a user."""

from django.db.models import Exists, OuterRef, Q

from tremplin.accounts.access import get_for_user, scope
from tremplin.accounts.models import Role
from tremplin.network.models import DECLINED_MATCH_STATES, Action, Match, Request

NETWORK_ROLES = (Role.ADVISOR, Role.MANAGER, Role.AUDITOR)


def _sent_to_organisation_of(user):
    """Requests sent to the advisor's organisation (to the advisor alone when they have none)."""
    if not user.organisation_id:
        return Q(matches__advisor=user)
    return Q(
        Exists(Match.objects.filter(request_id=OuterRef("pk"), advisor__organisation_id=user.organisation_id))
    )


def requests_for(user):
    """Managers and auditors: all; advisors: requests sent to their organisation; owners: their own."""
    return scope(
        Request.objects.select_related("theme", "company", "departement"),
        user,
        owner="created_by",
        advisor=_sent_to_organisation_of,
    )


def get_request_for_user(user, pk):
    return get_for_user(requests_for(user), pk, "Demande introuvable.")


def matches_for(user):
    """Matches an advisor works on (their own); managers and auditors see all."""
    return scope(
        Match.objects.select_related("request__theme", "request__company", "advisor"),
        user,
        advisor=lambda advisor: Q(advisor=advisor),
    )


def get_match_for_user(user, pk):
    return get_for_user(matches_for(user), pk, "Mise en relation introuvable.")


def national_queue():
    """Open requests no advisor holds: never routed, or every advisor said "not for me"."""
    holding = Match.objects.filter(request_id=OuterRef("pk")).exclude(state__in=DECLINED_MATCH_STATES)
    return (
        Request.objects.select_related("theme", "departement")
        .filter(archived_at__isnull=True)
        .exclude(Exists(holding))
    )


def _logged_by_organisation_of(user):
    """The actions of the advisor's organisation (the advisor's own when they have none): not those of
    another organisation working in the same départements."""
    if not user.organisation_id:
        return Q(advisor=user)
    return Q(organisation_id=user.organisation_id)


def actions_for(user):
    """The action log: managers and auditors all of it; advisors their organisation's."""
    return scope(
        Action.objects.select_related(
            "advisor", "organisation", "company", "departement", "awareness_session", "coaching_session"
        ),
        user,
        advisor=_logged_by_organisation_of,
    )
