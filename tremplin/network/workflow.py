"""The match's workflow, declared once: how the advisor a request was sent to moves it on, and how a
programme manager gives it to someone else. `tremplin.network.services` does each transition's own
work (re-routing, the request's last activity) through `WORKFLOW.perform()`; the request page's
buttons, the caseload and the audit timeline read this declaration.

A request's status is never stored: it is computed from its matches' states (`request_status`).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tremplin.accounts.models import Role
from tremplin.core.errors import PermissionDenied
from tremplin.core.notifications import notify, notify_address
from tremplin.core.workflow import Workflow, transition
from tremplin.network.models import MATCH_STATE_INFO, OPEN_MATCH_STATES, Match, MatchState

ADVISOR, MANAGER = "advisor", "manager"
TAKE_CARE, CLOSE_WITH_HELP, NO_HELP, NOT_REACHABLE, NOT_FOR_ME, REASSIGN = (
    "take_care",
    "close_with_help",
    "no_help",
    "not_reachable",
    "not_for_me",
    "reassign",
)


def is_match_advisor(user, match):
    """Only the advisor the request was sent to works on the match (not their colleagues)."""
    return bool(user and getattr(user, "is_authenticated", False) and match.advisor_id == user.pk)


def _is_manager(user, match):
    return user.role == Role.MANAGER


def refusal(role):
    """Why someone not holding `role` is refused (plain French, translated where it is shown)."""
    if role == MANAGER:
        return PermissionDenied(
            "forbidden", gettext_noop("Seuls les gestionnaires du programme peuvent réattribuer une demande.")
        )
    return PermissionDenied(
        "not_your_match",
        gettext_noop("Seul le conseiller à qui la demande a été envoyée peut la faire avancer."),
    )


def _lock(match):
    return Match.objects.select_for_update(of=("self",)).select_related("request").get(pk=match.pk)


def tell_advisor(match, *args, **kwargs):
    """Email the advisor a request has just been given to (routing, re-routing or reassignment)."""
    notify(
        match.advisor,
        "Nouvelle demande d'accompagnement sur votre territoire",
        "network/emails/new_match.txt",
        match=match,
        request=match.request,
    )


def tell_company(match, *args, **kwargs):
    """Email the company that an advisor takes its request, naming the advisor's organisation."""
    request = match.request
    notify_address(
        request.email,
        f"Un conseiller prend en charge votre demande ({request.reference})",
        "network/emails/taken.txt",
        request=request,
        advisor=match.advisor,
    )


WORKFLOW = Workflow(
    model=Match,
    states=MatchState,
    state_info=MATCH_STATE_INFO,
    noun="la mise en relation",
    roles={ADVISOR: is_match_advisor, MANAGER: _is_manager},
    lock=_lock,
    denied=lambda user, match, t: refusal(MANAGER if MANAGER in t.who else ADVISOR),
    events={
        "route": _("Demande envoyée au conseiller"),
        "remind": _("Rappel envoyé au conseiller"),
        # Written before the workflow was declared, when every move was audited under one name.
        "change_state": _("État modifié"),
    },
    transitions=[
        # The advisor's moves: each is offered as a button named by the state it leads to.
        transition(
            TAKE_CARE,
            MatchState.PENDING,
            MatchState.TAKING_CARE,
            ADVISOR,
            label=_("Prise en charge"),
            button=MatchState.TAKING_CARE.label,
            notify=tell_company,
        ),
        transition(
            CLOSE_WITH_HELP,
            MatchState.TAKING_CARE,
            MatchState.DONE,
            ADVISOR,
            label=_("Accompagnement réalisé"),
            button=MatchState.DONE.label,
        ),
        transition(
            NO_HELP,
            MatchState.TAKING_CARE,
            MatchState.NO_HELP,
            ADVISOR,
            label=_("Close sans aide possible"),
            button=MatchState.NO_HELP.label,
        ),
        transition(
            NOT_REACHABLE,
            [MatchState.PENDING, MatchState.TAKING_CARE],
            MatchState.NOT_REACHABLE,
            ADVISOR,
            label=_("Entreprise injoignable"),
            button=MatchState.NOT_REACHABLE.label,
        ),
        transition(
            NOT_FOR_ME,
            MatchState.PENDING,
            MatchState.NOT_FOR_ME,
            ADVISOR,
            label=_("Déclinée : pas pour ce conseiller"),
            button=MatchState.NOT_FOR_ME.label,
        ),
        transition(
            REASSIGN,
            OPEN_MATCH_STATES,
            MatchState.PENDING,
            MANAGER,
            label=_("Réattribuée à un autre conseiller"),
            button=_("Réattribuer"),
            success=_("La mise en relation est confiée au conseiller choisi."),
            notify=tell_advisor,
        ),
    ],
)

# The advisor moves a match by choosing the state it leads to (page buttons, API): one transition each.
ADVISOR_MOVES = {t.target: t.name for t in WORKFLOW if ADVISOR in t.who}


def advisor_moves(user, match):
    """The advisor's moves `user` may take on `match` now: the buttons of the request page."""
    return [t for t in WORKFLOW.allowed(user, match) if ADVISOR in t.who]


def may_reassign(user, match):
    return any(t.name == REASSIGN for t in WORKFLOW.allowed(user, match))
