"""Every transition of the payment batch workflow, generated from its declaration: from each state it
starts from, everyone but a programme manager is refused and changes nothing, then the manager succeeds."""

import pytest

from tests.factories import DepartementFactory, OrganisationFactory, UserFactory
from tests.payments.flows import claim_approved_application
from tests.workflow_matrix import cases, check_transition, path_to
from tremplin.core.models import AuditEvent
from tremplin.payments import services
from tremplin.payments.models import PaymentBatch
from tremplin.payments.workflow import CANCEL, MARK_PAID, REGENERATE, WORKFLOW
from tremplin.schemes.models import LedgerEntry
from tremplin.vouchers.models import State as FileState

HOLDERS = {"manager": "manager"}

DRIVERS = {
    REGENERATE: lambda actor, batch: services.regenerate_xml(actor, batch),
    MARK_PAID: lambda actor, batch: services.mark_batch_paid(actor, batch),
    CANCEL: lambda actor, batch: services.cancel_batch(actor, batch, "Fichier refusé par la banque"),
}


@pytest.fixture
def everyone(manager, advisor):
    elsewhere = OrganisationFactory(departements=[DepartementFactory(code="42", name="Loire")])
    return {
        "anonymous": None,
        "owner": UserFactory(),
        "advisor": advisor,
        "advisor_other_territory": UserFactory(advisor=True, organisation=elsewhere),
        "manager": manager,
        "auditor": UserFactory(auditor=True),
        "provider": UserFactory(provider_member=True),
    }


@pytest.fixture
def build(everyone, scheme):
    def build(state, name):
        # The owner of the file paid by the batch is the "owner" refused below.
        claim_approved_application(scheme, everyone["advisor"], owner=everyone["owner"])
        batch = services.create_batch(everyone["manager"], scheme)
        for step in path_to(WORKFLOW, PaymentBatch.State.DRAFT, state):
            batch = DRIVERS[step](everyone["manager"], batch)
        return batch

    return build


def snapshot(batch):
    fresh = PaymentBatch.objects.get(pk=batch.pk)
    events = list(AuditEvent.objects.for_object(fresh).values_list("action", "to_state"))
    files = sorted(line.application.state for line in fresh.lines.select_related("application"))
    paid = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).count()
    return fresh.state, bytes(fresh.xml), fresh.lines.count(), files, paid, events


def test_every_declared_transition_has_a_driver():
    assert set(DRIVERS) == set(WORKFLOW.transitions)


@pytest.mark.parametrize(("name", "source"), cases(WORKFLOW))
def test_only_the_declared_roles_can_take_the_transition(name, source, build, everyone):
    check_transition(
        WORKFLOW,
        name,
        source,
        build=build,
        people=everyone,
        holders=HOLDERS,
        drive=lambda actor, batch, name: DRIVERS[name](actor, batch),
        snapshot=snapshot,
    )


def test_a_paid_batch_pays_each_file_through_the_voucher_workflow(build, everyone):
    batch = DRIVERS[MARK_PAID](everyone["manager"], build(PaymentBatch.State.DRAFT, MARK_PAID))
    application = batch.lines.get().application
    assert application.state == FileState.PAID
    assert AuditEvent.objects.for_object(application).filter(action="mark_paid").count() == 1
    assert WORKFLOW.badge(batch.state) == "fr-badge--success"
    assert str(WORKFLOW.event_label("create_batch")) == "Lot de virements préparé"
