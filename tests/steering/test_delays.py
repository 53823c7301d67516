"""The delays page: counts, nearest-rank medians and 90th percentiles, files over the service level."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.steering.conftest import D, at
from tremplin.steering.delays import delays, in_days, nearest_rank
from tremplin.steering.facts import refresh
from tremplin.steering.period import FiltersForm
from tremplin.steering.scope import scope_for

pytestmark = pytest.mark.django_db
URL = reverse("steering:delays")
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}
NOW = at(D(2026, 4, 1), 12)
DAY = timedelta(days=1)


def test_percentiles_are_nearest_rank_on_either_database(files, manager):
    for days in (3, 1, 4, 10, 5, 9, 2, 6, 8, 7):  # 1 to 10 days, unsorted
        files.make(
            at(D(2026, 1, 1)), "rejected", submitted=at(D(2026, 1, 1)), decided=at(D(2026, 1, 1) + days * DAY)
        )
    refresh(now=NOW)
    # n = 10: median of rank ⌈5⌉ = 5, p90 of rank ⌈9⌉ = 9.
    assert measured(figures(manager).decision.overall)[:3] == (10, 5 * DAY, 9 * DAY)
    # n = 4 (1, 2, 3, 4 days): median of rank 2 (the lower middle), p90 of rank ⌈3.6⌉ = 4.
    assert nearest_rank({10: 1, 30: 1, 20: 1, 40: 1}) == (4, 2 * DAY, 4 * DAY)
    assert nearest_rank({}) == (0, None, None)


def test_the_histogram_rounds_each_delay_to_the_tenth_of_a_day_as_shown(files, manager):
    start = at(D(2026, 2, 1))
    for delay in (
        timedelta(hours=36),
        timedelta(days=2, hours=3),
        timedelta(hours=2, minutes=23, seconds=59),
    ):
        files.make(start, "rejected", submitted=start, decided=start + delay)
    refresh(now=NOW)
    d = figures(manager).decision.overall
    # 0.0999 day is 0.1 day (half up from 0.05); 1.5; 2.125 is 2.1: median 1.5, p90 2.1.
    assert (d.count, d.median_days, d.p90_days) == (3, Decimal("1.5"), Decimal("2.1"))


def test_days_are_shown_to_the_tenth():
    assert str(in_days(timedelta(days=2, hours=3))) == "2.1"
    assert str(in_days(timedelta(hours=36))) == "1.5"
    assert in_days(None) is None


@pytest.fixture
def decided(files, advisor, other_advisor, finistere):
    """Decided in the period after 2, 4, 20 (Alice), 10 (Bruno), 16 (nobody) days, 30 in Finistère;
    6 days in the previous period; one waiting for 20 days, one for 3; two paid, one claim unpaid."""
    for days, who, where in (
        (2, advisor, None),
        (4, advisor, None),
        (20, advisor, None),
        (10, other_advisor, None),
        (16, None, None),
        (30, None, finistere),
    ):
        start = at(D(2026, 2, 1))
        files.make(
            start, "approved", submitted=start, decided=start + days * DAY, advisor=who, departement=where
        )
    files.make(at(D(2025, 12, 1)), "rejected", submitted=at(D(2025, 12, 1)), decided=at(D(2025, 12, 7)))
    files.make(at(D(2026, 3, 1)), "under_review", submitted=NOW - 20 * DAY, advisor=advisor)
    files.make(at(D(2026, 3, 1)), "under_review", submitted=NOW - 3 * DAY)
    # Paid 9 days after the claim (8 after its approval), and 46 days after (45 after approval: late).
    files.make(
        at(D(2025, 10, 1)),
        "paid",
        claimed=at(D(2026, 3, 1)),
        claim_approved=at(D(2026, 3, 2)),
        paid=at(D(2026, 3, 10)),
        advisor=advisor,
    )
    files.make(
        at(D(2025, 10, 1)),
        "paid",
        claimed=at(D(2026, 1, 5)),
        claim_approved=at(D(2026, 1, 6)),
        paid=at(D(2026, 2, 20)),
        advisor=other_advisor,
    )
    # Claim approved 40 days ago and still unpaid: over the 30-day payment target.
    files.make(at(D(2025, 10, 1)), "claim_approved", claimed=NOW - 41 * DAY, claim_approved=NOW - 40 * DAY)
    refresh(now=NOW)


def figures(user, **data):
    scope = scope_for(user)
    form = FiltersForm({**PERIOD, **data}, scope)
    assert form.is_valid(), form.errors
    return delays(scope, form)


def measured(m):
    return (m.count, m.median, m.p90, m.late, m.waiting_late)


def test_time_to_decision_with_its_median_p90_and_files_over_the_service_level(manager, decided):
    d = figures(manager).decision
    # 2, 4, 10, 16, 20, 30 days: median rank 3 = 10, p90 rank ⌈5.4⌉ = 6 = 30; over 15 days: 16, 20, 30.
    assert measured(d.overall) == (6, 10 * DAY, 30 * DAY, 3, 1)
    assert (d.previous.count, d.previous.median, d.previous.p90) == (1, 6 * DAY, 6 * DAY)
    organisations = {m.label: measured(m) for m in d.organisations}
    assert organisations == {
        "CCI Lyon Métropole": (3, 4 * DAY, 20 * DAY, 1, 1),  # 2, 4, 20: median rank 2, p90 rank 3
        "CCI Paris Île-de-France": (1, 10 * DAY, 10 * DAY, 0, 0),
        "Non attribué": (2, 16 * DAY, 30 * DAY, 2, 0),  # 16, 30
    }
    advisors = {m.label: measured(m) for m in d.advisors}
    assert advisors["Alice Durand"] == (3, 4 * DAY, 20 * DAY, 1, 1)
    assert advisors["Bruno Petit"] == (1, 10 * DAY, 10 * DAY, 0, 0)


def test_time_to_payment_counts_from_the_claim_and_its_target_from_the_approval(manager, decided):
    p = figures(manager).payment
    assert measured(p.overall) == (2, 9 * DAY, 46 * DAY, 1, 1)
    assert {m.label: (m.count, m.late) for m in p.organisations} == {
        "CCI Lyon Métropole": (1, 0),
        "CCI Paris Île-de-France": (1, 1),
        "Non attribué": (0, 0),
    }


def test_a_head_never_counts_a_file_outside_the_territory(head, decided):
    d = figures(head).decision
    assert measured(d.overall) == (5, 10 * DAY, 20 * DAY, 2, 1)


def test_the_page_shows_medians_tables_and_the_method(client, auditor, decided, django_assert_num_queries):
    client.force_login(auditor)
    with django_assert_num_queries(19):
        response = client.get(URL, PERIOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "au rang le plus proche" in page and "Chiffres arrêtés le" in page
    assert "6 dossiers ont reçu une décision, en 10,0 jours médians (3 hors délai)" in page


def test_bad_input_is_refused_in_plain_french(client, manager):
    client.force_login(manager)
    response = client.get(URL, {"start": "31/02/2026"})
    assert response.status_code == 400 and "Saisissez une date de début valide" in response.content.decode()
