"""Agents sign in and out with ProConnect, end to end against a real OpenID Connect provider.

The provider (tests/proconnect_provider, django-oauth-toolkit in its own process) is reached over HTTP
both by the platform (token, keys, userinfo) and by `requests` playing the agent's browser there; the
platform's side is Django's test client. Nothing is mocked.
"""

import json
import socket
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import pytest
import requests
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.proconnect_provider.fixture import AGENTS, PASSWORD
from tremplin.accounts import proconnect
from tremplin.accounts.models import IdentityProviderLink, Role
from tremplin.accounts.second_factor import IDENTITY_PROVIDER_ACR_SESSION_KEY
from tremplin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

START = reverse("accounts:proconnect_start")
CALLBACK = reverse("accounts:proconnect_callback")
LOGGED_OUT = reverse("accounts:proconnect_logout_done")
VERIFY = reverse("accounts:second_factor_verify")
DASHBOARD = reverse("core:dashboard")


@pytest.fixture
def provider(proconnect_provider, settings):
    settings.SITE_ROOT = "http://testserver"
    proconnect_provider.settings_for(settings)
    return proconnect_provider


def at_provider(authorize_url, agent, browser=None):
    """Play the agent's browser at the provider: sign in there, and return (where it sends back, browser)."""
    browser = browser or requests.Session()
    response = browser.get(authorize_url, allow_redirects=True, timeout=10)
    if "/connexion/" in response.url:  # not yet signed in at the provider
        form = lxml.html.fromstring(response.text).forms[0]
        fields = dict(form.fields)
        fields.update(username=agent["email"], password=PASSWORD)
        response = browser.post(response.url, data=fields, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        response = browser.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["Location"], browser


def start(client, next_url=""):
    response = client.post(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, agent, next_url=""):
    """The whole sign-in; returns the platform's answer to ProConnect's redirect, and the provider browser."""
    back, browser = at_provider(start(client, next_url), agent)
    assert back.startswith("http://testserver" + CALLBACK), back
    return client.get(back.removeprefix("http://testserver")), browser


def agent_account(key, **extra):
    role = {"advisor": {"advisor": True}, "manager": {"manager": True}}.get(key, {})
    return UserFactory(email=AGENTS[key]["email"].upper(), **role, **extra)


def error_shown(client, response):
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    page = client.get(response["Location"])
    return " ".join(m.message for m in page.context["messages"])


def test_the_authorisation_request_is_the_one_proconnect_expects(provider, client):
    url = start(client)
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.url + "/api/v2/authorize/"
    assert query["response_type"] == "code"
    assert query["client_id"] == "tremplin"
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert query["scope"].split() == ["openid", "email", "given_name", "usual_name", "siret"]
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]
    assert json.loads(query["claims"]) == {"id_token": {"acr": {"essential": True, "value": "eidas1"}}}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    flow = client.session[proconnect.FLOW_SESSION_KEY]
    assert (flow["state"], flow["nonce"]) == (query["state"], query["nonce"])


def test_an_advisor_signs_in_and_still_gives_a_code_at_eidas1(
    provider, client, django_capture_on_commit_callbacks
):
    advisor = agent_account("advisor")
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = sign_in(client, AGENTS["advisor"])

    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert client.session["_auth_user_id"] == str(advisor.pk)
    assert client.session[IDENTITY_PROVIDER_ACR_SESSION_KEY] == "eidas1"
    # eIDAS 1 is a password at the agent's provider: the platform's second factor is still asked.
    assert client.get(DASHBOARD)["Location"].startswith(VERIFY)

    link = IdentityProviderLink.objects.get(user=advisor)
    assert link.provider == "proconnect" and link.subject and link.last_used_at
    actions = list(AuditEvent.objects.for_object(advisor).values_list("action", flat=True))
    assert actions.count("proconnect_linked") == 1 and actions.count("proconnect_sign_in") == 1
    assert [m.to for m in mail.outbox] == [[advisor.email]]
    assert "relié à ProConnect" in mail.outbox[0].subject


def test_the_account_is_found_by_sub_afterwards_whatever_the_email(
    provider, client, django_capture_on_commit_callbacks
):
    advisor = agent_account("advisor")
    sign_in(client, AGENTS["advisor"])
    advisor.email = "nouvelle.adresse@cci-lyon.example"
    advisor.save()

    other_browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response, _ = sign_in(other_browser, AGENTS["advisor"])
    assert response.status_code == 302
    assert other_browser.session["_auth_user_id"] == str(advisor.pk)
    assert IdentityProviderLink.objects.count() == 1
    assert mail.outbox == []  # linked once, told once


def test_eidas2_stands_for_the_second_factor(provider, client, settings):
    provider.settings_for(settings, acr="eidas2")
    manager = agent_account("manager")
    response, _ = sign_in(client, AGENTS["manager"], next_url=reverse("privacy:mine"))

    assert response["Location"] == reverse("privacy:mine")
    assert client.session[IDENTITY_PROVIDER_ACR_SESSION_KEY] == "eidas2"
    assert client.session["_auth_user_id"] == str(manager.pk)
    assert client.get(reverse("privacy:mine")).status_code == 200  # no second factor asked


def test_a_level_below_the_one_asked_is_refused(provider, client, settings):
    provider.settings_for(settings, acr="eidas2")
    agent_account("advisor")  # their provider stops at eIDAS 1
    response, _ = sign_in(client, AGENTS["advisor"])

    assert "niveau de garantie" in error_shown(client, response)
    assert "_auth_user_id" not in client.session
    assert not IdentityProviderLink.objects.exists()


def test_userinfo_as_plain_json_is_read_too(provider, client, settings):
    provider.settings_for(settings, client_id="tremplin-json")
    advisor = agent_account("advisor")
    response, _ = sign_in(client, AGENTS["advisor"])
    assert response["Location"] == DASHBOARD
    assert client.session["_auth_user_id"] == str(advisor.pk)


def test_no_account_is_created_for_an_unknown_agent(provider, client, django_user_model):
    before = django_user_model.objects.count()
    response, _ = sign_in(client, AGENTS["stranger"])

    assert "Aucun compte d'agent" in error_shown(client, response)
    assert django_user_model.objects.count() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [Role.OWNER, Role.PROVIDER])
def test_an_owner_or_provider_account_is_not_opened_by_proconnect(provider, client, role):
    extra = {"provider_member": True} if role == Role.PROVIDER else {}
    UserFactory(email=AGENTS["advisor"]["email"], **extra)
    response, _ = sign_in(client, AGENTS["advisor"])
    assert "Aucun compte d'agent" in error_shown(client, response)
    assert not IdentityProviderLink.objects.exists()


def test_a_linked_account_closed_since_is_refused(provider, client):
    advisor = agent_account("advisor")
    sign_in(Client(), AGENTS["advisor"])
    advisor.is_active = False
    advisor.save()
    response, _ = sign_in(client, AGENTS["advisor"])
    assert "plus un compte d'agent" in error_shown(client, response)
    assert "_auth_user_id" not in client.session


def test_a_forged_or_replayed_state_is_refused(provider, client):
    agent_account("advisor")
    back, _ = at_provider(start(client), AGENTS["advisor"])
    query = parse_qs(urlsplit(back).query)
    forged = client.get(CALLBACK, {"code": query["code"][0], "state": "x" * 43})
    assert "a expiré" in error_shown(client, forged)

    # The flow is spent: ProConnect's genuine answer, replayed, no longer opens a session either.
    replayed = client.get(back.removeprefix("http://testserver"))
    assert "a expiré" in error_shown(client, replayed)
    assert "_auth_user_id" not in client.session


def test_an_answer_from_another_browser_is_refused(provider, client):
    agent_account("advisor")
    back, _ = at_provider(start(client), AGENTS["advisor"])
    stranger = Client()
    response = stranger.get(back.removeprefix("http://testserver"))
    assert "a expiré" in error_shown(stranger, response)
    assert "_auth_user_id" not in stranger.session


def test_an_id_token_for_another_nonce_is_refused(provider, client):
    agent_account("advisor")
    back, _ = at_provider(start(client), AGENTS["advisor"])
    session = client.session
    session[proconnect.FLOW_SESSION_KEY] = {**session[proconnect.FLOW_SESSION_KEY], "nonce": "n" * 43}
    session.save()
    response = client.get(back.removeprefix("http://testserver"))
    assert "pas pu être vérifiée" in error_shown(client, response)
    assert "_auth_user_id" not in client.session


def test_a_wrong_client_secret_is_refused(provider, client, settings):
    agent_account("advisor")
    settings.PROCONNECT_CLIENT_SECRET = "not-the-secret"
    response, _ = sign_in(client, AGENTS["advisor"])
    assert "pas pu être vérifiée" in error_shown(client, response)
    assert "_auth_user_id" not in client.session


def test_a_cancelled_sign_in_says_so(provider, client):
    start(client)
    state = client.session[proconnect.FLOW_SESSION_KEY]["state"]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})
    assert "annulée ou refusée" in error_shown(client, response)


def test_proconnect_unreachable_is_said_plainly(provider, client, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.PROCONNECT_DOMAIN = f"http://127.0.0.1:{probe.getsockname()[1]}"
    response = client.post(START)
    assert "ne répond pas" in error_shown(client, response)


def test_logout_ends_the_proconnect_session_too(provider, client, settings):
    provider.settings_for(settings, acr="eidas2")
    agent_account("manager")
    _, browser = sign_in(client, AGENTS["manager"])
    id_token = client.session[proconnect.ID_TOKEN_SESSION_KEY]

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.url + "/api/v2/logout/"
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + LOGGED_OUT
    assert len(query["state"]) >= 32
    assert "_auth_user_id" not in client.session  # out of the platform before going to ProConnect

    at_provider_logout = browser.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_provider_logout.status_code == 302
    back = at_provider_logout.headers["Location"]
    assert back == f"http://testserver{LOGGED_OUT}?state={query['state']}"
    done = client.get(back.removeprefix("http://testserver"))
    assert done.status_code == 302 and done["Location"] == reverse("core:home")
    home = client.get(done["Location"])
    assert "déconnecté de Tremplin Numérique et de ProConnect" in home.content.decode()

    # Signed out at the provider as well: signing in again asks for the password there.
    again = browser.get(start(client), allow_redirects=True, timeout=10)
    assert "/connexion/" in again.url


def test_a_logout_return_with_another_state_says_nothing(provider, client):
    response = client.get(LOGGED_OUT, {"state": "y" * 43})
    assert response["Location"] == reverse("core:home")
    home = client.get(response["Location"])
    assert "ProConnect" not in " ".join(m.message for m in home.context["messages"])


def test_a_password_session_logs_out_without_proconnect(provider, client):
    client.force_login(agent_account("advisor"))
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("core:home")


def test_the_button_is_there_only_when_proconnect_is_configured(provider, client, settings):
    assert 'id="proconnect-button"' in client.get(reverse("accounts:login")).content.decode()
    settings.PROCONNECT_DOMAIN = ""
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()
    assert client.post(START).status_code == 404
    assert client.get(CALLBACK, {"code": "c", "state": "s"}).status_code == 404


def test_the_error_is_in_the_reader_s_language(provider, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _ = sign_in(client, AGENTS["stranger"])
    assert "No agent account is open for this address" in error_shown(client, response)


def test_an_administrator_unlinks_an_account_and_it_is_audited(provider, client):
    manager = UserFactory(manager=True, is_staff=True, is_superuser=True)
    advisor = agent_account("advisor")
    sign_in(Client(), AGENTS["advisor"])
    link = IdentityProviderLink.objects.get(user=advisor)
    admin = Client()
    admin.force_login(manager)
    url = reverse("admin:accounts_identityproviderlink_delete", args=[link.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not IdentityProviderLink.objects.exists()
    event = AuditEvent.objects.for_object(advisor).get(action="proconnect_unlinked")
    assert event.actor == manager
