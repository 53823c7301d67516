"""When the steering figures are rebuilt: one queued task after any change they count (debounced), which
rebuilds both sets, each in its own transaction; the command and the one record the pages read."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ApplicationFactory, CompanyFactory, EnvelopeFactory, UserFactory
from tests.steering.conftest import D, at
from tremplin.network.models import Action, ActionKind, Match, Request, Theme
from tremplin.network.services import change_match_state
from tremplin.registry.signals import registry_imported
from tremplin.schemes.models import LedgerEntry
from tremplin.steering import facts, refresh, stock_facts
from tremplin.steering.models import EnvelopeSnapshot, FiguresRefresh, FunnelFact, Grain, QueuedRefresh
from tremplin.vouchers import services as vouchers

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    """The tasks queued (a backend that keeps them, and can defer like the database one)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return lambda: [r.task.name for r in default_task_backend.results]


def test_a_state_change_queues_one_rebuild_once_it_commits(
    advisor, rhone, queued, django_capture_on_commit_callbacks
):
    theme = Theme.objects.create(code="site-internet", label="Site internet")
    request = Request.objects.create(
        siret="12345678900011", email="a@example.fr", theme=theme, description="Site", departement=rhone
    )
    match = Match.objects.create(request=request, advisor=advisor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_match_state(advisor, match, "taking_care")
    assert queued() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued().count("refresh_figures") == 1 and QueuedRefresh.objects.exists()
    # Another change while the rebuild is queued: no second task.
    assert refresh.request_refresh() is None and queued().count("refresh_figures") == 1


def test_a_ledger_movement_queues_one_refresh_then_none_while_it_is_queued(
    queued, django_capture_on_commit_callbacks
):
    envelope = EnvelopeFactory()
    application = ApplicationFactory(scheme=envelope.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.submit(application.owner, application)
    assert LedgerEntry.objects.filter(application=application).exists()
    assert queued().count("refresh_figures") == 1
    assert QueuedRefresh.objects.exists() and refresh.last_refresh().stock_computed_at is None
    other = ApplicationFactory(scheme=envelope.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.submit(other.owner, other)
    assert queued().count("refresh_figures") == 1  # the queued one will count it too


def test_the_queued_task_runs_later_then_a_new_change_queues_again(queued):
    refresh.request_refresh()
    from django_tasks import default_task_backend

    (result,) = default_task_backend.results
    assert result.task.run_after > timezone.now()  # debounced
    refresh.run_queued_refresh()
    record = refresh.last_refresh()
    assert not QueuedRefresh.objects.exists()
    assert record.flow_computed_at is not None and record.stock_computed_at is not None
    refresh.request_refresh()
    assert queued() == ["refresh_figures"] * 2


def test_a_lost_refresh_does_not_block_the_next_ones(queued):
    refresh.request_refresh()
    QueuedRefresh.objects.update(requested_at=timezone.now() - refresh.STALE * 2)
    refresh.request_refresh()
    assert queued() == ["refresh_figures"] * 2


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


def test_the_task_rebuilds_both_sets_and_lets_the_next_change_ask_again(files):
    files.make(at(D(2026, 1, 5)))
    assert refresh.request_refresh()  # the tests' task backend runs it at once
    record = refresh.last_refresh()
    assert record.flow_computed_at is not None and record.stock_computed_at is not None
    assert not QueuedRefresh.objects.exists()
    assert FunnelFact.objects.filter(grain=Grain.DAY, applications=1).exists()


def test_with_the_immediate_backend_a_movement_refreshes_the_figures(
    programme, django_capture_on_commit_callbacks
):
    stock_facts.refresh()
    application = ApplicationFactory(scheme=programme.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.submit(application.owner, application)
    assert EnvelopeSnapshot.objects.get().committed_cents == 600_000


def test_each_set_writes_its_own_time_in_the_one_record(programme):
    assert refresh.last_refresh().pk is None  # never computed: an empty record, not saved
    flow = facts.refresh()
    assert flow.flow_computed_at is not None and flow.stock_computed_at is None
    stock = stock_facts.refresh()
    assert FiguresRefresh.objects.count() == 1
    assert stock.flow_computed_at == flow.flow_computed_at and stock.stock_computed_at is not None
    assert stock.aids_count == 0  # submitted, none granted yet


def test_the_command_rebuilds_every_figure(programme, files, capsys):
    files.make(at(D(2026, 1, 5)))
    call_command("refresh_steering_figures")
    out = capsys.readouterr().out
    assert "Funnel, delays and network figures computed in" in out and "budget and reach figures in" in out
    detailed = FunnelFact.objects.filter(applications=1, section="C", bracket="02").exclude(departement="*")
    assert detailed.count() == 2  # its day and its month
    assert EnvelopeSnapshot.objects.filter(envelope=programme).get().committed_cents == 400_000
