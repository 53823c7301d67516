"""Programme managers send requests on by hand: pages and API, refused to every other role."""

import pytest
from django.urls import reverse

from tests.factories import luhn_complete
from tests.network.conftest import make_advisor
from tests.network.test_pages import ROLES, ApiClient, browse
from tremplin.network import services
from tremplin.network.api import router
from tremplin.network.models import Match, MatchState, RequestStatus, Theme


@pytest.fixture
def colleague(cma, rhone, cyber):
    """Another advisor covering the Rhône, on another theme (so routing never picks them)."""
    return make_advisor(cma, departements=[rhone], themes=[cyber], email="chloe@cma-rhone.fr")


@pytest.fixture
def queued(company, colleague):
    """A request on a theme no advisor takes: it waits in the national queue."""
    Theme.objects.create(code="financement", label="Financement")
    return services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code="financement",
        description="Un site pour vendre nos pains",
    ).request


def test_the_manager_assigns_from_the_request_page_among_advisors_of_the_territory(
    client, manager, queued, colleague, other_advisor
):
    assert queued.status == RequestStatus.NATIONAL_QUEUE
    client.force_login(manager)
    page = client.get(reverse("network:request", args=[queued.pk])).content.decode()
    assert f'value="{colleague.pk}"' in page
    assert f'value="{other_advisor.pk}"' not in page  # the Loire does not cover a Rhône company
    response = client.post(reverse("network:assign", args=[queued.pk]), {"assign-advisor": colleague.pk})
    assert response.status_code == 302
    assert queued.matches.get().advisor == colleague
    assert queued.status == RequestStatus.PENDING


def test_an_advisor_outside_the_territory_is_refused_and_nothing_changes(
    client, manager, queued, other_advisor
):
    client.force_login(manager)
    response = client.post(
        reverse("network:assign", args=[queued.pk]), {"assign-advisor": other_advisor.pk}, follow=True
    )
    assert "qui couvre le territoire" in response.content.decode()
    assert not queued.matches.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_assign_by_the_page(client, people, queued, colleague, role):
    response = browse(client, people, role).post(
        reverse("network:assign", args=[queued.pk]), {"assign-advisor": colleague.pk}
    )
    assert queued.matches.exists() is (role == "manager")
    expected = {"anonymous": 302, "manager": 302}.get(role, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_reassign_by_the_page(client, people, match, colleague, role):
    response = browse(client, people, role).post(
        reverse("network:reassign", args=[match.pk]), {f"match-{match.pk}-advisor": colleague.pk}
    )
    match.refresh_from_db()
    assert (match.advisor == colleague) is (role == "manager")
    expected = {"anonymous": 302, "manager": 302}.get(role, 403)
    assert response.status_code == expected


def test_the_request_page_offers_reassignment_of_open_matches_to_managers_only(
    client, manager, advisor, match, colleague
):
    url = reverse("network:request", args=[match.request_id])
    client.force_login(manager)
    assert reverse("network:reassign", args=[match.pk]) in client.get(url).content.decode()
    client.force_login(advisor)
    assert reverse("network:reassign", args=[match.pk]) not in client.get(url).content.decode()


@pytest.mark.parametrize("role", ROLES[1:])
def test_only_managers_assign_and_reassign_through_the_api(people, queued, match, colleague, role):
    api = ApiClient(router)
    user = people[role]
    assigned = api.post(f"/requests/{queued.pk}/assign", json={"advisor_id": colleague.pk}, user=user)
    reassigned = api.post(f"/matches/{match.pk}/reassign", json={"advisor_id": colleague.pk}, user=user)
    if role == "manager":
        assert assigned.status_code == 200
        assert assigned.json()["state"] == MatchState.PENDING
        assert reassigned.status_code == 200
        assert Match.objects.get(pk=match.pk).advisor == colleague
    else:
        assert (assigned.status_code, reassigned.status_code) == (403, 403)
        assert not queued.matches.exists()
        assert Match.objects.get(pk=match.pk).advisor != colleague


def test_the_api_refuses_an_advisor_outside_the_territory(manager, queued, other_advisor):
    response = ApiClient(router).post(
        f"/requests/{queued.pk}/assign", json={"advisor_id": other_advisor.pk}, user=manager
    )
    # The advisor exists but does not cover the request's territory: 409.
    assert response.status_code == 409
    assert response.json()["code"] == "advisor_not_covering"
    assert not queued.matches.exists()


def test_the_api_answers_404_for_an_advisor_that_does_not_exist(manager, queued):
    response = ApiClient(router).post(
        f"/requests/{queued.pk}/assign", json={"advisor_id": 987654}, user=manager
    )
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == ("unknown_advisor", "advisor_id")
    assert not queued.matches.exists()
