"""Properties of the budget movements over generated sequences, against the real database.

Whatever the order of reservations, releases, payments and claw-backs, the envelope never goes over its
total or below zero, a reservation is refused exactly when it does not fit, and the envelope's figures
are the ledger's (each example in its own transaction, rolled back).
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.factories import ApplicationFactory, EnvelopeFactory
from tremplin.schemes import budget
from tremplin.schemes.models import Envelope

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=400_000)
RESERVED, PAID = 1, 2  # columns of a file's entry in the model


class Budget(RuleBasedStateMachine):
    """The model: how much each file holds reserved and paid; the system: budget.* on one envelope."""

    @initialize(total=st.integers(min_value=0, max_value=1_000_000))
    def open_envelope(self, total):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.envelope = EnvelopeFactory(total_cents=total)
        self.total = total
        self.files = []  # [application, reserved (not yet paid), paid]

    def teardown(self):
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def part_of(self, data, column):
        """A file holding money in `column` (RESERVED or PAID), and an amount of it."""
        entry = data.draw(st.sampled_from([f for f in self.files if f[column]]))
        return entry, data.draw(st.integers(min_value=1, max_value=entry[column]))

    def committed(self):
        return sum(reserved + paid for _app, reserved, paid in self.files)

    @rule(amount=amounts)
    def reserve(self, amount):
        application = ApplicationFactory(scheme=self.envelope.scheme, envelope=self.envelope)
        fits = self.committed() + amount <= self.total
        assert budget.try_reserve(self.envelope.pk, application, amount) is fits
        if fits:
            self.files.append([application, amount, 0])

    @precondition(lambda self: any(reserved for _a, reserved, _p in self.files))
    @rule(data=st.data())
    def release_part(self, data):
        entry, amount = self.part_of(data, RESERVED)
        budget.release(entry[0], amount)
        entry[1] -= amount

    @precondition(lambda self: any(reserved for _a, reserved, _p in self.files))
    @rule(data=st.data())
    def pay(self, data):
        entry, amount = self.part_of(data, RESERVED)
        budget.disburse(entry[0], amount)
        entry[1] -= amount
        entry[2] += amount

    @precondition(lambda self: any(paid for _a, _r, paid in self.files))
    @rule(data=st.data())
    def claw_back(self, data):
        entry, amount = self.part_of(data, PAID)
        budget.claw_back(entry[0], amount)
        entry[2] -= amount

    @rule(amount=amounts)
    def release_more_than_reserved_is_refused(self, amount):
        if not self.files:
            return
        application = self.files[0][0]
        excess = self.committed() + amount
        with pytest.raises(RuntimeError), transaction.atomic():
            budget.release(application, excess)

    @invariant()
    def the_envelope_is_the_models_and_the_ledgers(self):
        if not hasattr(self, "envelope"):
            return
        envelope = Envelope.objects.get(pk=self.envelope.pk)
        paid = sum(p for _a, _r, p in self.files)
        assert (envelope.committed_cents, envelope.disbursed_cents) == (self.committed(), paid)
        assert 0 <= envelope.disbursed_cents <= envelope.committed_cents <= envelope.total_cents
        assert budget.ledger_totals(envelope.pk) == {
            "committed_cents": envelope.committed_cents,
            "disbursed_cents": envelope.disbursed_cents,
        }


Budget.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_budget_movements_keep_the_envelope_within_bounds_and_equal_to_its_ledger(db):
    Budget.TestCase().runTest()
