"""The advisor network in the API: an advisor's matches and their state changes; managers' routing by hand.

To mount at /api/v1/network. Every change calls its service function; errors are {"code", "message", "field"}.
"""

from datetime import datetime
from typing import Annotated

from ninja import Field, Path, Router, Schema

from tremplin.accounts.models import Role, User
from tremplin.api.errors import responses
from tremplin.api.schemas import MAX_ID
from tremplin.core.errors import Conflict, NotFound, PermissionDenied
from tremplin.network import routing, services
from tremplin.network.access import (
    NETWORK_ROLES,
    get_match_for_user,
    get_request_for_user,
    matches_for,
)
from tremplin.network.models import MatchState

router = Router(tags=["Réseau des conseillers"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_ITEMS = 100


class MatchOut(Schema):
    id: int
    request_id: int
    state: str
    state_label: str
    theme: str
    siret: str
    email: str
    description: str
    created_at: datetime


class StateIn(Schema):
    state: MatchState


class AdvisorIn(Schema):
    advisor_id: int = Field(ge=1, le=MAX_ID)


def _out(match):
    return MatchOut(
        id=match.pk,
        request_id=match.request_id,
        state=match.state,
        state_label=str(match.get_state_display()),
        theme=match.request.theme.code,
        siret=match.request.siret,
        email=match.request.email,
        description=match.request.description,
        created_at=match.created_at,
    )


def _require_network_role(user):
    if user.role not in NETWORK_ROLES:
        raise PermissionDenied("forbidden", "Réservé aux conseillers et aux gestionnaires du programme.")


@router.get("/matches", response=responses(200, list[MatchOut]), operation_id="list_matches")
def list_matches(request, state: MatchState | None = None):
    """Open and closed matches of the calling advisor, newest first (100 at most)."""
    _require_network_role(request.user)
    matches = matches_for(request.user).order_by("-created_at", "-pk")
    if state:
        matches = matches.filter(state=state)
    return [_out(m) for m in matches[:MAX_ITEMS]]


@router.post(
    "/matches/{match_id}/state", response=responses(200, MatchOut), operation_id="change_match_state"
)
def change_match_state(request, match_id: Id, payload: StateIn):
    """Move a match on (only its advisor); "not_for_me" sends the request to the next advisor."""
    match = get_match_for_user(request.user, match_id)
    match = services.change_match_state(request.user, match, payload.state)
    return _out(get_match_for_user(request.user, match.pk))


def _require_manager(user):
    if user.role != Role.MANAGER:
        raise PermissionDenied("forbidden", "Réservé aux gestionnaires du programme.")


def _covering_advisor(network_request, advisor_id):
    advisor = routing.covering_advisors(network_request).filter(pk=advisor_id).first()
    if advisor is None and not User.objects.filter(pk=advisor_id, role=Role.ADVISOR).exists():
        raise NotFound("unknown_advisor", "Aucun conseiller n'a ce numéro.", "advisor_id")
    if advisor is None:
        # An advisor who does not cover the request's territory, or no longer works there: a 409, what
        # the request names exists but cannot take it in its current state.
        raise Conflict(
            "advisor_not_covering",
            "Ce conseiller n'est pas un conseiller actif d'une antenne qui couvre le territoire de la "
            "demande : choisissez-en un autre.",
            "advisor_id",
        )
    return advisor


@router.post(
    "/requests/{request_id}/assign", response=responses(200, MatchOut), operation_id="assign_request"
)
def assign_request(request, request_id: Id, payload: AdvisorIn):
    """Send a request (typically from the national queue) to an advisor covering its territory (managers)."""
    _require_manager(request.user)
    network_request = get_request_for_user(request.user, request_id)
    advisor = _covering_advisor(network_request, payload.advisor_id)
    services.assign_request(request.user, network_request, advisor)
    return _out(matches_for(request.user).get(request_id=network_request.pk, advisor=advisor))


@router.post("/matches/{match_id}/reassign", response=responses(200, MatchOut), operation_id="reassign_match")
def reassign_match(request, match_id: Id, payload: AdvisorIn):
    """Give an open match to another advisor covering the request's territory (managers)."""
    _require_manager(request.user)
    match = get_match_for_user(request.user, match_id)
    advisor = _covering_advisor(match.request, payload.advisor_id)
    match = services.reassign_match(request.user, match, advisor)
    return _out(get_match_for_user(request.user, match.pk))
