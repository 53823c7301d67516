"""Held files keep their place in the receipt order; a lottery waits for them; ledger stays exact."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
    pdf_file,
    register_account,
)
from tremplin.authority import services as authority
from tremplin.authority.services import CHECKLIST
from tremplin.core.errors import Conflict
from tremplin.schemes.budget import ledger_totals
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db

ALL = {key for key, _ in CHECKLIST}


def held_file(scheme, planned_spend_cents=400_000):
    """A file whose applicant the register does not know, with documents: submitted to the check."""
    applicant = UserFactory(first_name="Alex", last_name="Inconnu")
    app = ApplicationFactory(
        scheme=scheme, owner=applicant, planned_spend_cents=planned_spend_cents, standing=False
    )
    register_account(app.iban, app.company.denomination)
    rep = authority.declare(
        applicant, app.company, capacity="representative", given_names="Alex", family_name="Inconnu",
        birth_date=timezone.localdate().replace(year=1980),
    )  # fmt: skip
    authority.add_documents(
        applicant, rep, register_extract=pdf_file("k.pdf"), extract_issued_on=timezone.localdate(),
        statement=pdf_file("s.pdf"),
    )  # fmt: skip
    services.submit(applicant, app)
    app.refresh_from_db()
    return app


def test_a_confirmed_file_does_not_overtake_an_earlier_file_waiting_for_budget(advisor):
    envelope = EnvelopeFactory(region=RegionFactory(), total_cents=300_000)
    first = ApplicationFactory(scheme=envelope.scheme, planned_spend_cents=400_000)  # 2,000 EUR voucher
    services.submit(first.owner, first)
    big = ApplicationFactory(scheme=envelope.scheme, planned_spend_cents=400_000)
    services.submit(big.owner, big)
    big.refresh_from_db()
    assert big.state == State.WAITLISTED  # 1,000 EUR left, not enough
    small = held_file(envelope.scheme, planned_spend_cents=100_000)  # 500 EUR would fit
    assert (small.state, small.reserved_cents) == (State.AUTHORITY_CHECK, 0)
    assert small.queue_rank > big.queue_rank

    services.confirm_authority(advisor, small, ALL)
    small.refresh_from_db()
    assert (small.state, small.reserved_cents) == (State.WAITLISTED, 0)
    envelope.refresh_from_db()
    first.refresh_from_db()
    assert envelope.committed_cents == first.reserved_cents == ledger_totals(envelope.pk)["committed_cents"]


def test_a_held_file_keeps_its_receipt_number_and_is_funded_when_confirmed(advisor):
    envelope = EnvelopeFactory(region=RegionFactory(), total_cents=1_000_000)
    held = held_file(envelope.scheme)
    later = ApplicationFactory(scheme=envelope.scheme)
    services.submit(later.owner, later)
    later.refresh_from_db()
    assert held.queue_rank < later.queue_rank
    envelope.refresh_from_db()
    assert envelope.committed_cents == later.reserved_cents
    services.confirm_authority(advisor, held, ALL)
    held.refresh_from_db()
    envelope.refresh_from_db()
    assert held.state == State.SUBMITTED and held.reserved_cents == held.amount_cents
    assert (
        envelope.committed_cents
        == held.reserved_cents + later.reserved_cents
        == ledger_totals(envelope.pk)["committed_cents"]
    )


def test_the_lottery_is_not_drawn_while_files_wait_for_the_check(manager, advisor):
    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY)
    EnvelopeFactory(scheme=scheme, region=RegionFactory())
    held = held_file(scheme)
    Scheme.objects.filter(pk=scheme.pk).update(window_closes_at=timezone.now() - timedelta(minutes=1))
    scheme.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.draw_lottery(manager, scheme, seed="graine")
    assert refused.value.code == "authority_checks_pending"
    services.confirm_authority(advisor, held, ALL)
    held.refresh_from_db()
    assert (held.state, held.reserved_cents) == (State.SUBMITTED, 0)  # waits for the draw
    drawn = services.draw_lottery(manager, scheme, seed="graine")
    assert [a.pk for a in drawn] == [held.pk]
