"""The advisor network page: requests, % transmitted within 72 h, % taken in charge within 5 days, outcomes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.steering.conftest import D, at
from tremplin.network.models import AdvisorProfile, Antenna, Match, Request, Theme
from tremplin.network.services import change_match_state
from tremplin.steering.facts import refresh
from tremplin.steering.network import network
from tremplin.steering.period import FiltersForm
from tremplin.steering.scope import scope_for

pytestmark = pytest.mark.django_db
URL = reverse("steering:network")
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}
H = timedelta(hours=1)


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="site-internet", label="Site internet")


def request_at(created, theme, departement, archived=None):
    request = Request.objects.create(
        siret="12345678900011", email="a@example.fr", theme=theme, description="Site", departement=departement
    )
    Request.objects.filter(pk=request.pk).update(created_at=created, archived_at=archived)
    request.refresh_from_db()
    return request


def match_at(request, advisor, after, state="pending", taken_after=None):
    match = Match.objects.create(request=request, advisor=advisor, state=state)
    Match.objects.filter(pk=match.pk).update(
        created_at=request.created_at + after,
        taken_care_at=request.created_at + taken_after if taken_after else None,
    )
    return match


@pytest.fixture
def requests(theme, advisor, other_advisor, rhone, finistere):
    for person, name in ((advisor, "Antenne Lyon"), (other_advisor, "Antenne Paris")):
        antenna = Antenna.objects.create(organisation=person.organisation, name=name)
        AdvisorProfile.objects.create(user=person, antenna=antenna)
    start = at(D(2026, 2, 1))
    r = [request_at(start, theme, rhone) for _ in range(6)]
    match_at(r[0], advisor, 2 * H, "done", taken_after=24 * H)
    match_at(r[1], advisor, 80 * H, "taking_care", taken_after=96 * H)  # late to reach, in time to help
    match_at(r[2], other_advisor, 1 * H)
    # r[3] was never sent: it waits in the national queue.
    match_at(r[4], other_advisor, 10 * H, "no_help", taken_after=144 * H)  # taken in charge after 6 days
    Request.objects.filter(pk=r[5].pk).update(archived_at=start + 200 * H)
    match_at(r[5], advisor, 1 * H, "not_for_me")
    match_at(request_at(start, theme, finistere), other_advisor, 1 * H, "not_reachable")
    match_at(request_at(at(D(2025, 12, 15)), theme, rhone), advisor, 1 * H)  # the previous period
    request_at(at(D(2026, 4, 2)), theme, rhone)  # after the period
    refresh()


def figures(user):
    scope = scope_for(user)
    form = FiltersForm(PERIOD, scope)
    assert form.is_valid(), form.errors
    return network(scope, form)


def test_requests_transmitted_and_taken_in_charge_in_time(manager, requests):
    f = figures(manager)
    assert (f.current.requests, f.current.transmitted, f.current.taken) == (7, 5, 2)
    assert (f.current.transmitted_share, f.current.taken_share) == (Decimal("71.4"), Decimal("28.6"))
    assert (f.before.requests, f.before.transmitted, f.before.taken) == (1, 1, 0)
    assert {status: count for status, _l, count, _s in f.outcomes} == {
        "done": 1,
        "taking_care": 1,
        "pending": 1,
        "not_reachable": 1,
        "no_help": 1,
        "national_queue": 1,
        "archived": 1,
    }


def holders(rows):
    return {
        str(h.label): (
            h.matches,
            h.transmitted,
            h.taken,
            h.done,
            h.no_help,
            h.not_reachable,
            h.declined,
            h.open,
        )
        for h in rows
    }


def test_per_organisation_and_antenna_over_their_matches(manager, requests):
    f = figures(manager)
    assert holders(f.organisations) == {
        "CCI Lyon Métropole": (3, 2, 2, 1, 0, 0, 1, 1),
        "CCI Paris Île-de-France": (3, 3, 0, 0, 1, 1, 0, 1),
    }
    assert holders(f.antennas)["Antenne Paris"] == (3, 3, 0, 0, 1, 1, 0, 1)
    lyon = next(h for h in f.organisations if h.label == "CCI Lyon Métropole")
    assert (lyon.transmitted_share, lyon.taken_share) == (Decimal("66.7"), Decimal("66.7"))


def test_a_head_never_counts_a_request_outside_the_territory(head, requests):
    f = figures(head)
    assert (f.current.requests, f.current.transmitted, f.current.taken) == (6, 4, 2)
    assert holders(f.organisations)["CCI Paris Île-de-France"][0] == 2


def test_the_first_taking_in_charge_is_recorded_once(theme, advisor, rhone):
    match = match_at(request_at(timezone.now(), theme, rhone), advisor, H)
    change_match_state(advisor, match, "taking_care")
    match.refresh_from_db()
    first = match.taken_care_at
    assert first is not None
    change_match_state(advisor, match, "done")
    match.refresh_from_db()
    assert match.taken_care_at == first


def test_the_page_shows_the_shares_with_a_chart_and_tables(
    client, manager, requests, django_assert_num_queries
):
    client.force_login(manager)
    with django_assert_num_queries(11):
        response = client.get(URL, PERIOD)
    page = response.content.decode()
    assert response.status_code == 200 and "<svg" in page and "Chiffres arrêtés le" in page
    assert "7 demandes d'accompagnement : 71,4 % transmises à un conseiller sous 72 heures, 28,6 %" in page
