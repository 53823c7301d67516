"""The steering's pre-aggregated figures: one refresh, atomic and idempotent, queued after the changes it
counts (debounced), by the command and by the demo seed."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ApplicationFactory, CompanyFactory, EnvelopeFactory, SchemeFactory, UserFactory
from tremplin.network.models import Action, ActionKind
from tremplin.registry.signals import registry_imported
from tremplin.schemes.models import LedgerEntry
from tremplin.steering import reach, stock_facts
from tremplin.steering.models import (
    EnvelopeSnapshot,
    FiguresRefresh,
    LedgerMonth,
    QueuedRefresh,
    ReachCount,
    ReachSnapshot,
)
from tremplin.vouchers import services as vouchers

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    scheme = SchemeFactory()
    envelope = EnvelopeFactory(scheme=scheme, total_cents=1_000_000)
    for _ in range(2):
        application = ApplicationFactory(scheme=scheme)
        vouchers.submit(application.owner, application)
    return envelope


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
        FiguresRefresh.objects.count() == 1 and stock_facts.last_refresh().refreshed_at >= first.refreshed_at
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
    assert stock_facts.last_refresh().refreshed_at == previous.refreshed_at


@pytest.mark.django_db(transaction=True)
def test_a_refresh_opening_its_own_transaction_takes_one_snapshot(programme):
    """Outside any transaction (a worker, the command), PostgreSQL's REPEATABLE READ path is the one run."""
    done = stock_facts.refresh()
    assert done.duration_ms is not None and stored()[0] == [(programme.pk, 1_000_000, 400_000)]


@pytest.fixture
def queued(settings):
    """The tasks queued (a backend that keeps them, and can defer like the database one)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return lambda: [r.task.name for r in default_task_backend.results]


def test_a_ledger_movement_queues_one_refresh_then_none_while_it_is_queued(
    queued, django_capture_on_commit_callbacks
):
    envelope = EnvelopeFactory()
    application = ApplicationFactory(scheme=envelope.scheme)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vouchers.submit(application.owner, application)
    assert LedgerEntry.objects.filter(application=application).exists()
    assert stock_facts.request_refresh in callbacks
    assert queued().count("refresh_figures") == 1
    assert QueuedRefresh.objects.exists() and stock_facts.last_refresh() is None
    other = ApplicationFactory(scheme=envelope.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.submit(other.owner, other)
    assert queued().count("refresh_figures") == 1  # the queued one will count it too


def test_the_queued_task_runs_later_then_a_new_change_queues_again(queued):
    stock_facts.request_refresh()
    from django_tasks import default_task_backend

    (result,) = default_task_backend.results
    assert result.task.run_after > timezone.now()  # debounced
    stock_facts.run_queued_refresh()
    assert not QueuedRefresh.objects.exists() and stock_facts.last_refresh()
    stock_facts.request_refresh()
    assert queued().count("refresh_figures") == 2


def test_a_lost_refresh_does_not_block_the_next_ones(queued):
    stock_facts.request_refresh()
    QueuedRefresh.objects.update(requested_at=timezone.now() - stock_facts.STALE * 2)
    stock_facts.request_refresh()
    assert queued().count("refresh_figures") == 2


@pytest.mark.parametrize("change", ["action", "import", "envelope"])
def test_other_changes_the_figures_count_queue_a_refresh(queued, django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        if change == "action":
            Action.objects.create(
                kind=ActionKind.AWARENESS,
                advisor=UserFactory(advisor=True),
                company=CompanyFactory(),
                on=timezone.localdate(),
            )
        elif change == "import":
            registry_imported.send(sender="Unités légales", report=None)
        else:
            EnvelopeFactory()
    assert queued() == ["refresh_figures"]


def test_with_the_immediate_backend_a_movement_refreshes_the_figures(
    programme, django_capture_on_commit_callbacks
):
    stock_facts.refresh()
    application = ApplicationFactory(scheme=programme.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.submit(application.owner, application)
    assert EnvelopeSnapshot.objects.get().committed_cents == 600_000


def test_the_command_computes_the_figures(programme, capsys):
    call_command("refresh_steering_figures")
    assert "budget and reach figures in" in capsys.readouterr().out
    assert (
        stock_facts.last_refresh() is not None and EnvelopeSnapshot.objects.get().committed_cents == 400_000
    )
