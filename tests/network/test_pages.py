import pytest
from django.urls import reverse
from ninja import NinjaAPI
from ninja.testing import TestClient

from tests.factories import CompanyFactory, luhn_complete
from tremplin.api import errors
from tremplin.network import services
from tremplin.network.api import router
from tremplin.network.models import Match, MatchState, Request


class ApiClient(TestClient):
    """The router behind the project's error handlers, as it is once mounted in the API."""

    @property
    def urls(self):
        if not hasattr(self, "_urls_cache"):
            api = NinjaAPI(urls_namespace=f"network-test-{id(self)}")
            errors.install(api)
            api.add_router("", self.router_or_app)
            self._urls_cache = api.urls[0]
        return self._urls_cache


ROLES = ["anonymous", "owner", "advisor_own", "advisor_other", "provider", "manager", "auditor"]


def browse(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


PAGES = {
    # page -> expected status per role, in ROLES order
    "dashboard": [302, 403, 200, 200, 403, 200, 200],
    "request": [302, 404, 200, 404, 404, 200, 200],
    "national_queue": [302, 403, 403, 403, 403, 200, 200],
    "new_awareness": [302, 403, 200, 200, 403, 403, 403],
    "new_coaching": [302, 403, 200, 200, 403, 403, 403],
    "new_request": [200, 200, 200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_the_network_pages_it_may(client, people, match, page, role):
    args = [match.request_id] if page == "request" else []
    response = browse(client, people, role).get(reverse(f"network:{page}", args=args))
    assert response.status_code == PAGES[page][ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_matchs_advisor_moves_it_on_by_the_page(client, people, match, role):
    response = browse(client, people, role).post(
        reverse("network:match_state", args=[match.pk]), {"state": MatchState.TAKING_CARE}
    )
    match.refresh_from_db()
    moved = role == "advisor_own"
    assert (match.state == MatchState.TAKING_CARE) is moved
    # Managers and auditors see the match but may not move it: refused (403), as in the API.
    expected = {"anonymous": 302, "advisor_own": 302, "manager": 403, "auditor": 403}.get(role, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_api_lists_and_moves_only_the_callers_matches(people, match, role):
    api = ApiClient(router)
    user = people[role]
    listed = api.get("/matches", user=user)
    moved = api.post(f"/matches/{match.pk}/state", json={"state": "taking_care"}, user=user)
    if role in ("owner", "provider"):
        assert listed.status_code == 403
    else:
        assert listed.status_code == 200
        assert [m["id"] for m in listed.json()] == (
            [match.pk] if role in ("advisor_own", "manager", "auditor") else []
        )
    assert moved.status_code == {"advisor_own": 200, "manager": 403, "auditor": 403}.get(role, 404)


def test_a_business_sends_a_request_without_an_account(client, advisor, company, website):
    response = client.post(
        reverse("network:new_request"),
        {
            "siret": luhn_complete(company.siren + "0001"),
            "email": "dirigeante@example.fr",
            "theme": website.code,
            "description": "Je veux un site pour prendre des commandes.",
        },
    )
    assert response.status_code == 302
    assert Request.objects.get().matches.get().advisor == advisor


def test_a_request_with_an_unknown_siret_and_no_postal_code_says_what_to_add(client, advisor, website):
    response = client.post(
        reverse("network:new_request"),
        {"siret": "73282932000074", "email": "a@example.fr", "theme": website.code, "description": "Un site"},
    )
    assert response.status_code == 200
    assert "indiquez le code postal" in response.content.decode()
    assert not Request.objects.exists()


def test_an_impossible_move_by_the_page_shows_why_and_changes_nothing(client, advisor, match):
    client.force_login(advisor)
    response = client.post(
        reverse("network:match_state", args=[match.pk]), {"state": MatchState.DONE}, follow=True
    )
    assert "Impossible de passer" in response.content.decode()
    assert Match.objects.get(pk=match.pk).state == MatchState.PENDING


def test_the_advisor_dashboard_query_count_does_not_grow_with_requests(
    client, advisor, company, website, rhone, django_assert_num_queries
):
    for _ in range(5):
        CompanyFactory(departement=rhone)
        services.create_request(
            siret=luhn_complete(company.siren + "0001"),
            email="a@example.fr",
            theme_code=website.code,
            description="x",
        )
    client.force_login(advisor)
    with django_assert_num_queries(9):  # +1: the TOTP device of the verified session (django-otp)
        response = client.get(reverse("network:dashboard"))
    assert response.content.decode().count('href="/reseau/demandes/') == 5


def test_the_national_queue_query_count_does_not_grow_with_requests(
    client, manager, company, website, django_assert_num_queries
):
    for _ in range(5):
        services.create_request(
            siret=luhn_complete(company.siren + "0001"),
            email="a@example.fr",
            theme_code=website.code,
            description="x",
        )
    client.force_login(manager)
    with django_assert_num_queries(7):  # +1: the TOTP device of the verified session (django-otp)
        response = client.get(reverse("network:national_queue"))
    content = response.content.decode()
    assert content.count("Orienter la demande") == 5
    assert content.count('href="/reseau/demandes/') == 10  # the SIRET and the "Orienter" link


def test_an_advisor_records_an_awareness_session_from_a_csv_list(client, advisor, website, company):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(advisor)
    attendance = SimpleUploadedFile("emargement.csv", f"siret;nom\n{company.siren};Boulangerie\n".encode())
    response = client.post(
        reverse("network:new_awareness"),
        {
            "on": "2026-03-02",
            "title": "Atelier",
            "theme": website.pk,
            "attendees": "",
            "attendees_file": attendance,
        },
        follow=True,
    )
    assert "1 entreprise(s) présente(s)" in response.content.decode()
