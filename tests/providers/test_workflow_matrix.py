"""Every transition of the providers' workflows (accreditation, quote request, quote, review), generated
from their declarations: from each state it starts from, everyone but the roles it names is refused
and changes nothing, then each role it names succeeds."""

import pytest

from tests.factories import ApplicationFactory, pdf_file
from tests.providers.conftest import add_valid_documents, paid_application
from tests.workflow_matrix import cases, check_transition, path_to
from tremplin.core.workflow import SYSTEM, SYSTEM_ROLE
from tremplin.providers import accreditation, quotes, reviews
from tremplin.providers.models import Provider, Quote, QuoteRequest, Review, Status
from tremplin.providers.workflow import (
    ACCREDITATION_WORKFLOW,
    QUOTE_REQUEST_WORKFLOW,
    QUOTE_WORKFLOW,
    REVIEW_WORKFLOW,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(owner, other_owner, advisor, manager, auditor, member, other_member):
    """Everyone the matrix tries: one person per role, and strangers to the objects built."""
    return {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "advisor": advisor,
        "manager": manager,
        "auditor": auditor,
        "provider_member": member,
        "other_provider_member": other_member,
    }


# Who holds each declared role on the objects built below (keys of `people`): the owner of the
# draft, the member of the provider it asks (or reviews), a programme manager.
HOLDERS = {"owner": "owner", "member": "provider_member", "manager": "manager"}


def reach(workflow, obj, state, *, start, people, drive):
    """Walk `obj` from `start` to `state` along the declared transitions, each by its first role."""
    for name in path_to(workflow, start, state):
        role = sorted(workflow[name].who)[0]
        obj = drive(SYSTEM if role == SYSTEM_ROLE else people[HOLDERS[role]], obj, name)
    return type(obj).objects.get(pk=obj.pk)


def test_every_role_the_workflows_name_has_a_holder():
    for workflow in (ACCREDITATION_WORKFLOW, QUOTE_REQUEST_WORKFLOW, QUOTE_WORKFLOW, REVIEW_WORKFLOW):
        named = set().union(*(t.who for t in workflow)) - {SYSTEM_ROLE}
        assert named <= set(HOLDERS), workflow.noun


# --- accreditation -------------------------------------------------------------------------------


def act(actor, provider, name):
    """Every accreditation transition, the daily expiry included, goes through accreditation.act()."""
    return accreditation.act(actor, provider, name, reason="Motif.")


@pytest.mark.parametrize(("name", "source"), cases(ACCREDITATION_WORKFLOW))
def test_only_the_declared_roles_move_the_accreditation(name, source, people, provider, member):
    add_valid_documents(provider, member)  # so that the criteria never stand in the way
    drive = act

    def build(state, name):
        # Start over from a new request and walk the declared transitions to `state`.
        Provider.objects.filter(pk=provider.pk).update(status=Status.REQUESTED)
        return reach(
            ACCREDITATION_WORKFLOW, provider, state, start=Status.REQUESTED, people=people, drive=drive
        )

    check_transition(
        ACCREDITATION_WORKFLOW, name, source, build=build, people=people, holders=HOLDERS, drive=drive
    )


# --- quote requests and quotes --------------------------------------------------------------------


def answered(member, quote):
    return quotes.answer_quote(member, quote, amount_cents=250_000, category="website", file=pdf_file())


QUOTE_DRIVERS = {
    "answer_quote": lambda actor, quote: quotes.answer_quote(
        actor, quote, amount_cents=250_000, category="website", file=pdf_file()
    ),
    "decline_quote": lambda actor, quote: quotes.decline_quote(actor, quote, "Pas disponible."),
    "choose_quote": quotes.choose_quote,
    "choose_again": quotes.choose_quote,
    # Taken when the draft holds another quote (chosen or uploaded): through its service function.
    "replace_quote": quotes.replace_chosen,
    # Taken by choose_quote and cancel_request for the other quotes: through the workflow itself.
    "set_aside": lambda actor, quote: QUOTE_WORKFLOW.perform(actor, quote, "set_aside"),
}

REQUEST_DRIVERS = {
    "choose_quote": lambda actor, request: (
        quotes.choose_quote(actor, request.quotes.get(state=Quote.State.ANSWERED)).request
    ),
    "change_quote": lambda actor, request: (
        quotes.choose_quote(actor, request.quotes.get(state=Quote.State.NOT_CHOSEN)).request
    ),
    "cancel_quotes": quotes.cancel_request,
}


def answered_then_replaced(request, owner, member):
    """The request's quote answered, chosen, then replaced: an answer the owner may come back to."""
    quote = quotes.choose_quote(owner, answered(member, request.quotes.get()))
    return quotes.replace_chosen(owner, quote)


@pytest.fixture
def new_request(scheme, owner, member):
    def new_request():
        draft = ApplicationFactory(
            scheme=scheme, owner=owner, provider=None, quote="", planned_spend_cents=None
        )
        return quotes.request_quotes(owner, draft, [member.provider], "website", "Un site vitrine.")

    return new_request


def test_every_quote_transition_has_a_driver():
    assert set(QUOTE_DRIVERS) == set(QUOTE_WORKFLOW.transitions)
    assert set(REQUEST_DRIVERS) == set(QUOTE_REQUEST_WORKFLOW.transitions)


@pytest.mark.parametrize(("name", "source"), cases(QUOTE_WORKFLOW))
def test_only_the_declared_roles_move_a_quote(name, source, people, new_request, owner, member):
    def drive(actor, quote, name):
        return QUOTE_DRIVERS[name](actor, quote)

    def build(state, name):
        if name == "choose_again":
            return answered_then_replaced(new_request(), owner, member)
        quote = new_request().quotes.get()
        return reach(QUOTE_WORKFLOW, quote, state, start=Quote.State.REQUESTED, people=people, drive=drive)

    check_transition(QUOTE_WORKFLOW, name, source, build=build, people=people, holders=HOLDERS, drive=drive)


@pytest.mark.parametrize(("name", "source"), cases(QUOTE_REQUEST_WORKFLOW))
def test_only_the_declared_roles_close_or_cancel_a_quote_request(name, source, people, new_request, member):
    def drive(actor, request, name):
        return REQUEST_DRIVERS[name](actor, request)

    def build(state, name):
        request = new_request()
        if name == "change_quote":
            answered_then_replaced(request, people["owner"], member)
            return QuoteRequest.objects.get(pk=request.pk)
        if name == "choose_quote" or state == QuoteRequest.State.CLOSED:
            answered(member, request.quotes.get())
        return reach(
            QUOTE_REQUEST_WORKFLOW, request, state, start=QuoteRequest.State.OPEN, people=people, drive=drive
        )

    def snapshot(request):
        fresh = QuoteRequest.objects.get(pk=request.pk)
        return (
            fresh.state,
            sorted(fresh.quotes.values_list("state", flat=True)),
            fresh.application.provider_id,
        )

    check_transition(
        QUOTE_REQUEST_WORKFLOW,
        name,
        source,
        build=build,
        people=people,
        holders=HOLDERS,
        drive=drive,
        snapshot=snapshot,
    )


# --- reviews ----------------------------------------------------------------------------------------

REVIEW_DRIVERS = {
    "hide_review": lambda actor, review: reviews.moderate_review(
        actor, review, hide=True, reason="Injurieux."
    ),
    "publish_review": lambda actor, review: reviews.moderate_review(actor, review, hide=False),
}


def test_every_review_transition_has_a_driver():
    assert set(REVIEW_DRIVERS) == set(REVIEW_WORKFLOW.transitions)


@pytest.mark.parametrize(("name", "source"), cases(REVIEW_WORKFLOW))
def test_only_the_declared_roles_moderate_a_review(name, source, people, owner, member, advisor, manager):
    def drive(actor, review, name):
        return REVIEW_DRIVERS[name](actor, review)

    def build(state, name):
        application = paid_application(member.provider, owner, advisor, manager)
        review = reviews.post_review(
            owner, application, quality=2, deadlines=2, communication=2, text="Des retards sans nouvelles."
        )
        return reach(REVIEW_WORKFLOW, review, state, start=Review.State.PUBLISHED, people=people, drive=drive)

    check_transition(REVIEW_WORKFLOW, name, source, build=build, people=people, holders=HOLDERS, drive=drive)
