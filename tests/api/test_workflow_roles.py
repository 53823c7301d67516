"""Every transition of the voucher workflow, generated from its declaration: from each state it starts
from, every role it does not name is refused and changes nothing, then the role it names succeeds.

The API endpoints are checked in test_permissions.py; here the services are driven directly, so a
transition without an endpoint (promote, a draw, the daily expiry) is covered too.
"""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from config.api import api
from tests.api.conftest import bring_to, held_for_authority, row
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    UserFactory,
    pdf_file,
    verified_by_registry,
)
from tests.workflow_matrix import cases, check_transition
from tremplin.authority import services as authority
from tremplin.core.models import AuditEvent
from tremplin.payments import services as payments
from tremplin.schemes.models import Envelope
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State
from tremplin.vouchers.workflow import WORKFLOW

# Which person of the `people` fixture holds each declared role on the files `build` makes. The
# representative is a director of the file's company in the register (a business owner who did not open
# it), on the files built for a contest; on the others, one more business owner.
HOLDERS = {"owner": "owner", "advisor": "advisor", "manager": "manager", "representative": "representative"}
ALL_CHECKED = [key for key, _label in authority.CHECKLIST]

# How each transition is taken: through its service function where it has one.
DRIVERS = {
    "submit": lambda actor, a: services.submit(actor, a),
    "confirm_authority": lambda actor, a: services.confirm_authority(actor, a, ALL_CHECKED),
    "refuse_authority": lambda actor, a: services.refuse_authority(
        actor, a, "L'extrait ne mentionne pas le demandeur."
    ),
    "contest": lambda actor, a: services.contest(actor, a.company, "Je n'ai jamais fait cette demande."),
    "uphold_contest": lambda actor, a: services.uphold_contest(actor, a, "Demande faite sans mandat."),
    "dismiss_contest": lambda actor, a: services.dismiss_contest(actor, a, "Le demandeur est mandaté."),
    "promote": lambda actor, a: WORKFLOW.perform(actor, a, "promote"),
    "lottery_drawn": lambda actor, a: WORKFLOW.perform(actor, a, "lottery_drawn", to=State.WAITLISTED),
    "start_review": lambda actor, a: services.start_review(actor, a),
    "request_info": lambda actor, a: services.request_info(actor, a, "Le devis n'est pas signé."),
    "answer_info": lambda actor, a: services.answer_info(actor, a, "Voici le devis signé."),
    "approve": lambda actor, a: services.approve(actor, a, "Complet."),
    "reject": lambda actor, a: services.reject(actor, a, "quote_invalid"),
    "withdraw": lambda actor, a: services.withdraw(actor, a, "Projet abandonné."),
    "submit_claim": lambda actor, a: services.submit_claim(
        actor, a, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), a.planned_spend_cents
    ),
    "start_claim_review": lambda actor, a: services.start_claim_review(actor, a),
    "request_claim_info": lambda actor, a: services.request_claim_info(actor, a, "Relevé ?"),
    "answer_claim_info": lambda actor, a: services.answer_claim_info(actor, a, "Le voici."),
    "approve_claim": lambda actor, a: services.approve_claim(actor, a),
    "mark_paid": lambda actor, a: services.mark_paid(actor, a, "LOT-1"),
    "expire": lambda actor, a: services.expire(a, actor=actor),
    "claw_back": lambda actor, a: services.claw_back(actor, a, "Contrôle : facture fictive."),
}


def test_every_declared_transition_has_a_driver():
    assert set(DRIVERS) == set(WORKFLOW.transitions)


def test_every_transition_people_take_has_an_api_endpoint_described_from_its_declaration():
    operations = {
        op["operationId"]: op
        for path, ops in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/v1/applications/{application_id}/")
        for method, op in ops.items()
        if method == "post"
    }
    contest_operation = api.get_openapi_schema()["paths"]["/api/v1/applications/contest"]["post"]
    # Money is paid only through payment batches, never one file at a time.
    for t in WORKFLOW:
        if not (t.who - {"system"}) or t.name == "mark_paid":
            continue
        op = operations.get("submit_application" if t.name == "submit" else t.name)
        if t.name == "contest":
            # Taken by company: the representative contesting a file cannot read it.
            op = contest_operation
        assert op is not None, t.name
        assert op["summary"].startswith(str(t.title)), t.name
        assert all(f"« {WORKFLOW.label(s)} »" in op["description"] for s in t.sources), t.name


@pytest.fixture
def people(people):
    return {**people, "representative": UserFactory(first_name="Jeanne", last_name="Lefèvre")}


@pytest.fixture
def build(scheme, people, rhone):
    """A new file of the owner (for a company of its own) in `state`, ready for transition `name`."""

    def build(state, name):
        held = state == State.AUTHORITY_CHECK
        draft = ApplicationFactory(
            scheme=scheme,
            owner=people["owner"],
            company=CompanyFactory(departement=rhone),
            provider=people["provider"].provider,
            standing=not held,
        )
        if held:
            application = held_for_authority(draft)
        elif state in (State.WAITLISTED, State.CONTESTED):
            if state == State.WAITLISTED:
                Envelope.objects.filter(scheme=scheme).update(total_cents=F("committed_cents"))
            application = services.submit(draft.owner, draft)
        else:
            application = bring_to(draft, state, people)
        if name in ("contest", "uphold_contest", "dismiss_contest"):
            verified_by_registry(people["representative"], application.company)
        if state == State.CONTESTED:
            application = services.contest(
                people["representative"], application.company, "Je n'ai jamais fait cette demande."
            )
        if name == "promote":
            Envelope.objects.filter(scheme=scheme).update(total_cents=F("committed_cents") + 10**9)
        if name == "expire":
            Application.objects.filter(pk=application.pk).update(
                valid_until=timezone.localdate() - timedelta(days=1)
            )
        if name == "mark_paid":
            payments.create_batch(people["manager"], application.scheme)
        return Application.objects.get(pk=application.pk)

    return build


@pytest.mark.parametrize(("name", "source"), cases(WORKFLOW))
def test_only_the_declared_roles_can_take_the_transition(build, people, name, source):
    check_transition(
        WORKFLOW,
        name,
        source,
        build=build,
        people={**people, "anonymous": None},
        holders=HOLDERS,
        drive=lambda actor, application, name: DRIVERS[name](actor, application),
        snapshot=row,
    )


def test_every_event_of_a_file_has_a_label_on_its_timeline(build, people):
    application = build(State.PAID, "claw_back")
    services.claw_back(people["manager"], application, "Contrôle : facture fictive.")
    actions = set(AuditEvent.objects.for_object(application).values_list("action", flat=True))
    assert {"submit", "approve", "add_to_payment_batch", "mark_paid", "claw_back"} <= actions
    unlabelled = {action for action in actions if WORKFLOW.event_label(action) == action}
    assert unlabelled == set()
