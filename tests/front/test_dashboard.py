import pytest
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import UserFactory
from tremplin.front import views

pytestmark = pytest.mark.django_db


def test_dashboard_needs_a_login(client):
    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_dashboard_sends_each_role_to_its_own_page(client, monkeypatch):
    monkeypatch.setitem(views.ROLE_HOME, "owner", "core:legal")
    client.force_login(UserFactory())

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("core:legal")


def test_dashboard_shows_a_simple_page_while_the_role_page_does_not_exist(client, monkeypatch):
    monkeypatch.setitem(views.ROLE_HOME, "advisor", "vouchers:not_written_yet")
    client.force_login(UserFactory(advisor=True))

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 200
    assert "Mon espace" in page(response)


def test_providers_land_on_their_dashboard(client):
    client.force_login(UserFactory(provider_member=True))

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("providers:dashboard")


def test_the_header_offers_logout_to_a_logged_in_person(client):
    client.force_login(UserFactory())

    html = page(client.get(reverse("core:home")))

    assert "Se déconnecter" in html
    assert "Mon espace" in html
    assert "Se connecter" not in html


def test_an_owner_lands_on_their_files_and_sees_their_menu(client):
    client.force_login(UserFactory())

    response = client.get(reverse("core:dashboard"))
    html = page(client.get(reverse("core:home")))

    assert response.url == reverse("vouchers:list")
    assert "Mes dossiers" in html
    assert "Nouvelle demande" in html
    assert "File d'instruction" not in html


def test_an_advisor_sees_the_review_queue_in_the_menu(client):
    client.force_login(UserFactory(advisor=True))

    html = page(client.get(reverse("core:home")))

    assert "File d'instruction" in html
    assert "Mes dossiers" not in html
