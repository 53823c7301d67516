"""Every transition of the match workflow, generated from its declaration: from each state it starts
from, everyone but the role it names is refused and changes nothing, then that role succeeds."""

import pytest

from tests.factories import luhn_complete
from tests.network.conftest import make_advisor
from tests.workflow_matrix import cases, check_transition, path_to
from tremplin.core.models import AuditEvent
from tremplin.network import services
from tremplin.network.models import Match, MatchState
from tremplin.network.workflow import ADVISOR_MOVES, REASSIGN, WORKFLOW

# Who holds each declared role on the matches `build` makes: the advisor the request was sent to.
HOLDERS = {"advisor": "advisor", "manager": "manager"}


@pytest.fixture
def colleague(cma, rhone, cyber):
    """An advisor of the same territory on another theme: routing never picks them, a manager may."""
    return make_advisor(cma, departements=[rhone], themes=[cyber], email="chloe@cma-rhone.fr")


@pytest.fixture
def everyone(owner, advisor, colleague, other_advisor, manager, auditor, provider_member):
    return {
        "anonymous": None,
        "owner": owner,
        "advisor": advisor,
        "advisor_same_territory": colleague,
        "advisor_other_territory": other_advisor,
        "manager": manager,
        "auditor": auditor,
        "provider": provider_member,
    }


@pytest.fixture
def drivers(colleague):
    """How each transition is taken: through the service the pages and the API call."""

    def move(to_state):
        return lambda actor, match: services.change_match_state(actor, match, to_state)

    return {
        **{name: move(to_state) for to_state, name in ADVISOR_MOVES.items()},
        REASSIGN: lambda actor, match: services.reassign_match(actor, match, colleague),
    }


@pytest.fixture
def build(everyone, drivers, company, website):
    def build(state, name):
        request = services.create_request(
            siret=luhn_complete(company.siren + "0001"),
            email="dirigeante@example.fr",
            theme_code=website.code,
            description="Un site pour vendre nos pains.",
            user=everyone["owner"],
        ).request
        match = request.matches.get(advisor=everyone["advisor"])
        for step in path_to(WORKFLOW, MatchState.PENDING, state):
            role = sorted(WORKFLOW[step].who)[0]
            match = drivers[step](everyone[HOLDERS[role]], match)
        return Match.objects.get(pk=match.pk)

    return build


def snapshot(match):
    fresh = Match.objects.get(pk=match.pk)
    events = list(AuditEvent.objects.for_object(fresh).values_list("action", "to_state"))
    return fresh.state, fresh.advisor_id, fresh.request.matches.count(), events


def test_every_declared_transition_has_a_driver(drivers):
    assert set(drivers) == set(WORKFLOW.transitions)


@pytest.mark.parametrize(("name", "source"), cases(WORKFLOW))
def test_only_the_declared_roles_can_take_the_transition(name, source, build, everyone, drivers):
    check_transition(
        WORKFLOW,
        name,
        source,
        build=build,
        people=everyone,
        holders=HOLDERS,
        drive=lambda actor, match, name: drivers[name](actor, match),
        snapshot=snapshot,
    )
