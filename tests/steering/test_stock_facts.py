"""The budget and reach figures: one refresh, atomic and idempotent (when it is asked for: test_refresh)."""

import pytest

from tests.factories import ApplicationFactory
from tremplin.steering import reach, refresh, stock_facts
from tremplin.steering.models import (
    EnvelopeSnapshot,
    FiguresRefresh,
    LedgerMonth,
    ReachCount,
    ReachSnapshot,
)
from tremplin.vouchers import services as vouchers

pytestmark = pytest.mark.django_db


def stored():
    """Every stored figure, in an order that does not depend on the ids of the rows."""
    return (
        sorted(EnvelopeSnapshot.objects.values_list("envelope_id", "total_cents", "committed_cents")),
        sorted(
            LedgerMonth.objects.values_list(
                "envelope_id",
                "departement_code",
                "month",
                "kind",
                "firm",
                "recent",
                "first_day",
                "amount_cents",
            )
        ),
        sorted(ReachSnapshot.objects.values_list("scheme_id", "rules_version", "on")),
        sorted(
            ReachCount.objects.values_list("snapshot__scheme_id", "departement_code", "measure", "companies")
        ),
    )


def test_a_refresh_twice_stores_the_same_figures(programme):
    first = stock_facts.refresh()
    before = stored()
    assert before[0] == [(programme.pk, 1_000_000, 400_000)]
    assert sum(row[-1] for row in before[1]) == 400_000
    stock_facts.refresh()
    assert stored() == before
    assert (
        FiguresRefresh.objects.count() == 1
        and refresh.last_refresh().stock_computed_at >= first.stock_computed_at
    )


def test_a_refresh_that_fails_leaves_the_previous_figures_whole(programme, monkeypatch):
    previous = stock_facts.refresh()
    before = stored()
    application = ApplicationFactory(scheme=programme.scheme)
    vouchers.submit(application.owner, application)

    def broken(scheme, on):
        raise RuntimeError("the registry is unreachable")

    monkeypatch.setattr(reach, "counts_by_departement", broken)
    with pytest.raises(RuntimeError):
        stock_facts.refresh()  # the budget's tables were already rewritten when reach failed
    assert stored() == before
    assert refresh.last_refresh().stock_computed_at == previous.stock_computed_at


@pytest.mark.django_db(transaction=True)
def test_a_refresh_opening_its_own_transaction_takes_one_snapshot(programme):
    """Outside any transaction (a worker, the command), PostgreSQL's REPEATABLE READ path is the one run."""
    done = stock_facts.refresh()
    assert done.stock_duration_ms is not None and stored()[0] == [(programme.pk, 1_000_000, 400_000)]
