"""The pre-aggregated figures: equal to the live computation, rebuilt atomically, asked for on each change."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory
from tests.steering.conftest import D, at
from tests.steering.live import live_delays, live_funnel, live_network
from tremplin.diagnostics.models import Diagnostic
from tremplin.network.models import AdvisorProfile, Antenna, Match, Request, Theme
from tremplin.steering import facts, refresh
from tremplin.steering.delays import delays
from tremplin.steering.funnel import funnel
from tremplin.steering.models import DelayFact, FunnelFact, Grain, QueuedRefresh
from tremplin.steering.network import network
from tremplin.steering.period import FiltersForm, Period
from tremplin.steering.scope import scope_for

pytestmark = pytest.mark.django_db
NOW = at(D(2026, 4, 20), 15)
H = timedelta(hours=1)
STATES = ["draft", "submitted", "under_review", "approved", "rejected", "claim_submitted", "paid", "expired"]


FIRST_DAY = D(2025, 6, 1)


def moment(rng, first=FIRST_DAY, days=320):
    """Any minute of those days, Paris time, midnight included."""
    return at(first + timedelta(days=rng.randrange(days)), rng.randrange(24), rng.randrange(60))


@pytest.fixture
def mixed(files, advisor, other_advisor, rhone, finistere):
    """About a hundred files, diagnostics, requests and matches, drawn from a seeded generator over three
    départements, several sectors and sizes, two advisors and nobody, eleven months."""
    rng = random.Random(12)
    for person, name in ((advisor, "Antenne Lyon"), (other_advisor, "Antenne Paris")):
        AdvisorProfile.objects.create(
            user=person, antenna=Antenna.objects.create(organisation=person.organisation, name=name)
        )
    places = [None, finistere, rhone]
    nafs, brackets = ["10.71C", "62.01Z", "47.91B", "", "9999"], ["02", "11", "NN", ""]
    for _ in range(110):
        state = rng.choice(STATES)
        created = moment(rng)
        submitted = created + rng.randrange(0, 200) * H if state != "draft" else None
        decided = claimed = approved = paid = None
        if state not in ("draft", "submitted", "under_review"):
            decided = submitted + timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
        if state in ("claim_submitted", "paid"):
            claimed = decided + rng.randrange(1, 400) * H
            approved = claimed + rng.randrange(1, 100) * H
        if state == "paid":
            paid = approved + timedelta(minutes=rng.randrange(0, 50 * 24 * 60))
        waiting = decided is None and submitted is not None
        files.make(
            created,
            state,
            submitted=submitted,
            decided=decided,
            claimed=claimed,
            claim_approved=approved,
            paid=paid,
            departement=rng.choice(places),
            naf_code=rng.choice(nafs),
            bracket=rng.choice(brackets),
            # The live computation names a group from its decided files only: waiting ones go to nobody.
            advisor=None if waiting else rng.choice([advisor, other_advisor, None]),
        )
    for _ in range(30):
        company = CompanyFactory(naf_code=rng.choice(nafs), departement=rng.choice([rhone, finistere]))
        Diagnostic.objects.create(company=company, state="completed", completed_at=moment(rng))
    theme = Theme.objects.create(code="site-internet", label="Site internet")
    for _ in range(40):
        request = Request.objects.create(
            siret="12345678900011",
            email="a@example.fr",
            theme=theme,
            description="Site",
            departement=rng.choice([rhone, finistere, None]),
            company=rng.choice([None, CompanyFactory(naf_code=rng.choice(nafs))]),
        )
        created = moment(rng)
        archived = created + 300 * H if rng.random() < 0.1 else None
        Request.objects.filter(pk=request.pk).update(created_at=created, archived_at=archived)
        for person in rng.sample([advisor, other_advisor], rng.randrange(3)):
            state = rng.choice(["pending", "taking_care", "done", "no_help", "not_reachable", "not_for_me"])
            match = Match.objects.create(request=request, advisor=person, state=state)
            taken = (
                created + rng.randrange(1, 200) * H if state in ("taking_care", "done", "no_help") else None
            )
            Match.objects.filter(pk=match.pk).update(
                created_at=created + rng.randrange(1, 120) * H, taken_care_at=taken
            )
    facts.refresh(now=NOW)


FILTERS = [
    {"start": "2026-01-01", "end": "2026-03-31"},  # whole months
    {"start": "2025-11-17", "end": "2026-04-20"},  # days at both ends
    {"start": "2026-02-03", "end": "2026-02-25"},  # inside one month
    {"start": "2025-09-30", "end": "2026-04-01", "region": "53"},
    {"start": "2025-09-30", "end": "2026-04-01", "departement": "69"},
    {"start": "2025-10-15", "end": "2026-04-15", "section": "C"},
    {"start": "2025-10-15", "end": "2026-04-15", "bracket": "11"},
]


def form_for(user, data):
    scope = scope_for(user)
    form = FiltersForm(data, scope, today=NOW.date())
    assert form.is_valid(), form.errors
    return scope, form


def funnel_figures(result):
    return (
        [(s.key, s.count, s.previous, s.rate) for s in result.stages],
        [(key, [(r.key, str(r.label), r.cells()) for r in rows]) for key, _t, rows in result.splits],
    )


def delay_figures(result):
    def m(measure):
        return (
            str(measure.label),
            measure.count,
            measure.median_days,
            measure.p90_days,
            measure.late,
            measure.waiting_late,
        )

    return [
        (d.key, m(d.overall), m(d.previous), [m(x) for x in d.organisations], [m(x) for x in d.advisors])
        for d in result.delays
    ]


def network_figures(result):
    def h(holder):
        return (
            str(holder.label),
            holder.organisation,
            holder.matches,
            holder.transmitted,
            holder.taken,
            holder.done,
            holder.no_help,
            holder.not_reachable,
            holder.declined,
            holder.open,
        )

    return (
        [(t.requests, t.transmitted, t.taken) for _l, t in result.rows],
        [(s, c) for s, _l, c, _share in result.outcomes],
        [h(x) for x in result.organisations],
        [h(x) for x in result.antennas],
    )


@pytest.mark.parametrize("data", FILTERS)
@pytest.mark.parametrize("who", ["manager", "head"])
def test_the_aggregated_figures_equal_the_live_computation(request, mixed, who, data):
    user = request.getfixturevalue(who)
    if who == "head":
        user.heads_organisation = True
        user.save()
        data = {k: v for k, v in data.items() if k not in ("region", "departement")}
    scope, form = form_for(user, data)
    assert funnel_figures(funnel(scope, form)) == funnel_figures(live_funnel(scope, form))
    assert delay_figures(delays(scope, form)) == delay_figures(live_delays(scope, form, now=NOW))
    assert network_figures(network(scope, form)) == network_figures(live_network(scope, form))


def test_the_fixture_reaches_every_kind_of_figure(manager, mixed):
    scope, form = form_for(manager, FILTERS[1])
    f, d, n = funnel(scope, form), delays(scope, form), network(scope, form)
    assert all(stage.count for stage in f.stages)
    assert d.decision.overall.count and d.payment.overall.count and d.decision.overall.waiting_late
    assert d.decision.overall.late and d.payment.overall.late
    assert n.current.requests and n.current.transmitted and n.organisations and n.antennas


def test_a_period_is_read_as_its_whole_months_and_the_days_at_its_ends():
    q = facts.span_q(Period(D(2026, 1, 15), D(2026, 4, 2)))
    cells = [
        (Grain.DAY, D(2026, 1, 14), False),
        (Grain.DAY, D(2026, 1, 15), True),
        (Grain.DAY, D(2026, 1, 31), True),
        (Grain.MONTH, D(2026, 1, 1), False),
        (Grain.DAY, D(2026, 2, 10), False),
        (Grain.MONTH, D(2026, 2, 1), True),
        (Grain.MONTH, D(2026, 3, 1), True),
        (Grain.MONTH, D(2026, 4, 1), False),
        (Grain.DAY, D(2026, 4, 2), True),
        (Grain.DAY, D(2026, 4, 3), False),
    ]
    for grain, day, _counted in cells:
        FunnelFact.objects.create(grain=grain, day=day, applications=1)
    got = set(FunnelFact.objects.filter(q).values_list("grain", "day"))
    assert got == {(grain, day) for grain, day, counted in cells if counted}


def table_contents():
    return {
        model.__name__: sorted(
            model.objects.values_list(*[f.attname for f in model._meta.concrete_fields][1:]), key=repr
        )
        for model in facts.FACTS
    }


def test_a_rebuild_gives_the_same_rows_and_replaces_every_one(manager, mixed):
    first = table_contents()
    assert all(first.values())
    facts.refresh(now=NOW)
    assert table_contents() == first
    month_files = DelayFact.objects.filter(grain=Grain.MONTH).values_list("files", flat=True)
    day_files = DelayFact.objects.filter(grain=Grain.DAY).values_list("files", flat=True)
    assert sum(month_files) == sum(day_files)


def test_a_failed_rebuild_leaves_the_previous_figures(manager, mixed, monkeypatch):
    before, computed_at = table_contents(), refresh.last_refresh().flow_computed_at

    def broken():
        raise RuntimeError("the network figures failed")

    monkeypatch.setattr(facts, "_network", broken)
    with pytest.raises(RuntimeError):
        facts.refresh()
    assert table_contents() == before and refresh.last_refresh().flow_computed_at == computed_at


def test_the_rebuild_reads_no_file_into_python(manager, mixed, django_assert_max_num_queries):
    # A fixed number of statements whatever the number of files: deletes, INSERT … SELECT (8 tables of
    # detail, 5 roll-ups of 5 tables, 4 of months), the state row.
    with django_assert_max_num_queries(50) as queries:
        facts.refresh(now=NOW)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 8 + 25 + 4 and all(" SELECT " in sql for sql in inserts)


def test_the_page_says_when_the_figures_were_never_computed(client, manager, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(manager)
    page = client.get(reverse("steering:funnel")).content.decode()
    assert "Les chiffres sont en cours de calcul" in page and 'id="summary"' not in page
    assert QueuedRefresh.objects.exists()


def test_the_page_computes_the_figures_on_first_view_when_tasks_run_at_once(client, manager):
    client.force_login(manager)
    page = client.get(reverse("steering:delays")).content.decode()
    assert "Chiffres arrêtés le" in page and refresh.last_refresh().flow_computed_at is not None
