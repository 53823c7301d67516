"""The error pages: the site's layout (DSFR), French and English, what happened and where to go next.

pytest-django runs the tests with DEBUG off, as in production: Django then answers with the handlers
of config/urls.py and the CSRF_FAILURE_VIEW, which these tests go through.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.core.helpers import page
from tremplin.front import errors

HEADER = '<header role="banner" class="fr-header">'
FOOTER = 'id="footer"'


def link(url, label):
    return f'href="{url}">{label}</a>'


def test_the_tests_see_the_pages_served_with_debug_off():
    assert settings.DEBUG is False


# --- 403 -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_page_answers_403_with_the_layout_and_the_reason_the_view_gave(client_for, manager):
    response = client_for(manager).get(reverse("diagnostics:start"))

    assert response.status_code == 403
    html = page(response)
    assert HEADER in html and FOOTER in html
    assert '<html lang="fr"' in html
    assert "<h1>Vous n'avez pas accès à cette page</h1>" in html
    assert "Cette page n'est pas accessible avec votre profil." in html
    assert "gestion@tremplin.example.fr" in html  # whom the visitor is logged in as
    assert link(reverse("core:home"), "Retour à l'accueil") in html
    assert link(reverse("payments:batches"), "Paiements") in html
    assert "403 Forbidden" not in html


@pytest.mark.django_db
def test_a_refused_page_answers_403_in_english(client_for, manager):
    client = client_for(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("diagnostics:start"))

    assert response.status_code == 403
    html = page(response)
    assert '<html lang="en"' in html
    assert "<h1>You do not have access to this page</h1>" in html
    assert "This page is not available with your profile." in html
    assert link(reverse("core:home"), "Back to the home page") in html
    assert "Vous n'avez pas accès" not in html


@pytest.mark.django_db
def test_the_reason_of_a_refusal_given_in_french_is_translated_when_the_catalogue_has_it(
    provider_member, settings
):
    settings.LANGUAGE_CODE = "en"
    request = RequestFactory().get("/prestataires/espace/")
    request.user = provider_member

    response = errors.permission_denied(
        request, PermissionDenied("Cette page est réservée aux prestataires.")
    )

    assert response.status_code == 403
    assert "This page is for providers only." in page(response)


@pytest.mark.django_db
def test_a_refusal_without_a_reason_says_it_plainly(owner):
    request = RequestFactory().get("/dossiers/")
    request.user = owner

    html = page(errors.permission_denied(request, PermissionDenied()))

    assert "Votre compte ne permet pas d'ouvrir cette page." in html
    assert link(reverse("vouchers:list"), "Mes dossiers") in html


# --- 404 -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_answers_404_with_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    html = page(response)
    assert HEADER in html and FOOTER in html
    assert "<h1>Page introuvable</h1>" in html
    assert "Erreur 404" in html
    assert link(reverse("core:home"), "Retour à l'accueil") in html
    # A visitor who is not logged in is offered the quick check and the login, no one's space.
    assert link(reverse("core:check"), "Vérifier mon éligibilité") in html
    assert reverse("accounts:login") in html
    assert link(reverse("vouchers:list"), "Mes dossiers") not in html


@pytest.mark.django_db
def test_the_404_page_is_in_english_for_an_english_visitor(client):
    response = client.get("/cette-page-n-existe-pas/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    html = page(response)
    assert "<h1>Page not found</h1>" in html
    assert "Page introuvable" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "url_name", "label", "not_shown"),
    [
        ("owner", "vouchers:list", "Mes dossiers", "File d'instruction"),
        ("advisor", "vouchers:queue", "File d'instruction", "Mes dossiers"),
        ("manager", "payments:batches", "Paiements", "Mes dossiers"),
        ("auditor", "vouchers:list", "Dossiers", "Mes dossiers"),
        ("provider_member", "providers:dashboard", "Mon espace prestataire", "Mes dossiers"),
    ],
)
def test_the_404_page_offers_each_role_its_own_space_only(
    request, client_for, person, url_name, label, not_shown
):
    user = request.getfixturevalue(person)

    response = client_for(user).get("/dossiers/cette-page-n-existe-pas/")

    assert response.status_code == 404
    main = page(response).split('<main id="content"', 1)[1]
    assert link(reverse(url_name), label) in main
    assert f">{not_shown}</a>" not in main
    assert link(reverse("core:check"), "Vérifier mon éligibilité") not in main


@pytest.mark.django_db
def test_a_missing_object_answers_the_404_page(client_for, owner):
    response = client_for(owner).get(reverse("vouchers:detail", args=[999_999]))

    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in page(response)


# --- 500 and 400 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_that_fails_answers_the_500_page(client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("tremplin.front.views.open_scheme", broken)
    client.raise_request_exception = False

    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 500
    html = page(response)
    assert HEADER in html and FOOTER in html
    assert "<h1>Le service rencontre un problème</h1>" in html
    assert "Erreur 500" in html
    assert link(reverse("core:home"), "Retour à l'accueil") in html
    assert "boom" not in html


@pytest.mark.django_db
def test_the_500_page_is_in_english_for_an_english_visitor(client, monkeypatch):
    monkeypatch.setattr("tremplin.front.views.open_scheme", lambda: 1 / 0)
    client.raise_request_exception = False

    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert '<html lang="en"' in page(response)
    assert "<h1>The service has a problem</h1>" in page(response)


def test_the_500_page_renders_without_the_database_nor_the_request():
    """No `db` here: pytest-django refuses any query. The request may be what is broken."""
    response = errors.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = page(response)
    assert "<h1>Le service rencontre un problème</h1>" in html
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert "Se déconnecter" not in html and "Se connecter" not in html


def test_the_400_page_renders_without_the_database_nor_the_request():
    response = errors.bad_request(RequestFactory().get("/"), Exception("bad"))

    assert response.status_code == 400
    assert "<h1>Nous n'avons pas pu traiter votre demande</h1>" in page(response)


@pytest.mark.django_db
def test_a_malformed_request_answers_the_400_page(client):
    response = client.get(reverse("core:home"), HTTP_HOST="ailleurs.example")

    assert response.status_code == 400
    html = page(response)
    assert HEADER in html
    assert "Erreur 400" in html


# --- CSRF ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_answers_the_expired_form_page(owner):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": "x"})

    assert response.status_code == 403
    html = page(response)
    assert HEADER in html and FOOTER in html
    assert "<h1>Le formulaire a expiré</h1>" in html
    assert "rechargez-la" in html
    assert "CSRF" not in html


@pytest.mark.django_db
def test_the_expired_form_page_in_english(owner):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": "x"})

    assert response.status_code == 403
    assert "<h1>The form has expired</h1>" in page(response)


# --- preview with DEBUG on -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Nous n'avons pas pu traiter votre demande"),
        (403, "Vous n'avez pas accès à cette page"),
        (404, "Page introuvable"),
        (500, "Le service rencontre un problème"),
        ("csrf", "Le formulaire a expiré"),
    ],
)
def test_with_debug_on_the_error_pages_can_be_previewed(client, settings, code, title):
    settings.DEBUG = True

    response = client.get(reverse("core:error_preview", args=[code]))

    assert response.status_code == (403 if code == "csrf" else code)
    assert f"<h1>{title}</h1>" in page(response)


@pytest.mark.django_db
def test_the_preview_does_not_exist_with_debug_off(client):
    response = client.get(reverse("core:error_preview", args=[403]))

    assert response.status_code == 404
