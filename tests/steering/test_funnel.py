"""The funnel page: every figure against counts made by hand on a small set of files."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory
from tests.steering.conftest import D, at
from tremplin.diagnostics.models import Diagnostic
from tremplin.steering.facts import refresh
from tremplin.steering.funnel import funnel
from tremplin.steering.period import FiltersForm, Period, default_period
from tremplin.steering.scope import scope_for

pytestmark = pytest.mark.django_db
URL = reverse("steering:funnel")
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}  # 90 days; the previous: 3 Oct – 31 Dec 2025


@pytest.fixture
def programme(files, finistere):
    """In the period: 7 files (1 in Finistère), 5 submitted, 3 granted, 2 claimed, 1 paid; before: 2."""
    f = files.make
    f(at(D(2026, 1, 5)))
    f(at(D(2026, 1, 10)), "under_review", submitted=at(D(2026, 1, 10)))
    f(
        at(D(2026, 2, 1)),
        "approved",
        submitted=at(D(2026, 2, 2)),
        decided=at(D(2026, 2, 12)),
        naf_code="62.01Z",
        bracket="11",
    )
    f(at(D(2026, 2, 3)), "rejected", submitted=at(D(2026, 2, 3)), decided=at(D(2026, 2, 20)))
    f(
        at(D(2026, 3, 1)),
        "paid",
        submitted=at(D(2026, 3, 1)),
        decided=at(D(2026, 3, 8)),
        claimed=at(D(2026, 3, 15)),
        claim_approved=at(D(2026, 3, 16)),
        paid=at(D(2026, 3, 25)),
    )
    f(
        at(D(2026, 3, 2)),
        "claim_submitted",
        submitted=at(D(2026, 3, 2)),
        decided=at(D(2026, 3, 5)),
        claimed=at(D(2026, 3, 20)),
        departement=finistere,
    )
    f(at(D(2026, 3, 31), 23, 30))  # the period's last evening, Paris time: in
    f(at(D(2026, 4, 1), 0, 10))  # just after: out
    f(at(D(2025, 12, 15)), "submitted", submitted=at(D(2025, 12, 15)))  # previous period
    f(at(D(2025, 11, 1)))  # previous period
    f(at(D(2025, 9, 1)))  # before both
    for completed, departement in (
        (at(D(2026, 1, 20)), None),
        (at(D(2026, 1, 21)), finistere),
        (at(D(2025, 12, 1)), None),
    ):
        company = CompanyFactory(**({"departement": departement} if departement else {}))
        Diagnostic.objects.create(company=company, state="completed", completed_at=completed)
    Diagnostic.objects.create(company=CompanyFactory(), state="in_progress")
    refresh()


def figures(user, **data):
    scope = scope_for(user)
    form = FiltersForm({**PERIOD, **data}, scope)
    assert form.is_valid(), form.errors
    return funnel(scope, form)


def counts(result):
    return {s.key: (s.count, s.previous) for s in result.stages}


def test_each_stage_counts_the_files_of_the_period_and_of_the_one_before(manager, programme):
    result = figures(manager)
    assert result.previous == Period(D(2025, 10, 3), D(2025, 12, 31))
    assert counts(result) == {
        "diagnostics": (2, 1),
        "applications": (7, 2),
        "submitted": (5, 1),
        "approved": (3, 0),
        "claimed": (2, 0),
        "paid": (1, 0),
    }
    rates = {s.key: s.rate for s in result.stages}
    assert rates == {
        "diagnostics": None,
        "applications": None,
        "submitted": Decimal("71.4"),  # 5 / 7
        "approved": Decimal("60.0"),  # 3 / 5
        "claimed": Decimal("66.7"),  # 2 / 3
        "paid": Decimal("50.0"),  # 1 / 2
    }
    changes = {s.key: s.change for s in result.stages}
    assert changes["applications"] == Decimal("250.0")  # (7 - 2) / 2
    assert changes["submitted"] == Decimal("400.0")
    assert changes["diagnostics"] == Decimal("100.0")
    assert changes["approved"] is None  # nothing to compare with


def split(result, key):
    rows = next(rows for k, _t, rows in result.splits if k == key)
    return {row.key: row.counts for row in rows}


def test_the_splits_add_up_by_region_departement_sector_size_and_month(manager, programme):
    result = figures(manager)
    regions = split(result, "region")
    assert regions["84"] == {
        "applications": 6,
        "submitted": 4,
        "approved": 2,
        "claimed": 1,
        "paid": 1,
        "diagnostics": 1,
    }
    assert regions["53"] == {
        "applications": 1,
        "submitted": 1,
        "approved": 1,
        "claimed": 1,
        "paid": 0,
        "diagnostics": 1,
    }
    assert set(split(result, "departement")) == {"69", "29"}
    sections = split(result, "section")
    assert sections["J"]["applications"] == 1 and sections["C"]["applications"] == 6
    assert sections["C"]["diagnostics"] == 2 and set(sections) == {"C", "J"}
    brackets = split(result, "bracket")
    assert brackets["11"]["approved"] == 1 and brackets["02"]["applications"] == 6
    months = split(result, "month")
    assert list(months) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert months[D(2026, 1, 1)] == {
        "applications": 2,
        "submitted": 1,
        "approved": 0,
        "claimed": 0,
        "paid": 0,
        "diagnostics": 2,
    }
    assert months[D(2026, 3, 1)]["applications"] == 3 and months[D(2026, 3, 1)]["paid"] == 1


def test_filters_narrow_every_figure(manager, programme):
    assert counts(figures(manager, region="53"))["applications"] == (1, 0)
    assert counts(figures(manager, section="J"))["approved"] == (1, 0)
    assert counts(figures(manager, bracket="11"))["applications"] == (1, 0)
    assert counts(figures(manager, departement="29"))["diagnostics"] == (1, 0)


def test_a_head_never_counts_a_file_outside_the_territory(head, programme):
    assert counts(figures(head)) == {
        "diagnostics": (1, 1),
        "applications": (6, 2),
        "submitted": (4, 1),
        "approved": (2, 0),
        "claimed": (1, 0),
        "paid": (1, 0),
    }
    form = FiltersForm({**PERIOD, "departement": "29"}, scope_for(head))
    assert not form.is_valid() and "departement" in form.errors


def test_the_default_period_is_the_last_six_months():
    assert default_period(D(2026, 8, 31)) == Period(D(2026, 3, 1), D(2026, 8, 31))
    assert default_period(D(2026, 6, 15)) == Period(D(2025, 12, 16), D(2026, 6, 15))


def test_the_page_shows_the_figures_with_a_chart_a_table_and_a_summary(
    client, manager, programme, django_assert_num_queries
):
    client.force_login(manager)
    with django_assert_num_queries(14):
        response = client.get(URL, PERIOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "<caption>" in page and 'id="summary"' in page
    assert "7 dossiers ont été ouverts ; 3 ont obtenu un chèque et 1 ont été payés" in page
    assert "Chiffres arrêtés le" in page
    assert "71.4 %" in page or "71,4 %" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"start": "2026-13-01"}, "Saisissez une date de début valide"),
        ({"end": "demain"}, "Saisissez une date de fin valide"),
        ({"start": "2026-03-01", "end": "2026-01-01"}, "La date de début doit précéder la date de fin."),
        ({"start": "2010-01-01", "end": "2026-01-01"}, "cinq ans au plus"),
        ({"departement": "999"}, "Choisissez une valeur de la liste"),
        ({"section": "<script>"}, "Choisissez une valeur de la liste"),
        ({"bracket": "99"}, "Choisissez une valeur de la liste"),
        ({"region": "x" * 5000}, "Choisissez une valeur de la liste"),
    ],
)
def test_bad_filters_are_refused_in_plain_french(client, manager, data, message):
    client.force_login(manager)
    response = client.get(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
