"""An advisor signs in with ProConnect in a real browser, gives the platform's code, then signs out of both.

The identity provider is the local one of the tests (tests/proconnect_provider), on another port of
127.0.0.1: the browser really goes there and back, under the platform's Content-Security-Policy (its
`form-action` names the provider, as settings do when PROCONNECT_DOMAIN is set)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.proconnect_provider.fixture import AGENTS, PASSWORD
from tests.second_factor import fresh_code

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 375])
def test_an_advisor_signs_in_and_out_with_proconnect(
    page, audit, screenshot, live_server, proconnect_provider, settings, db, width
):
    settings.SITE_ROOT = live_server.url
    proconnect_provider.settings_for(settings)
    page.set_viewport_size({"width": width, "height": 900})
    agent = AGENTS["advisor"]
    advisor = UserFactory(advisor=True, email=agent["email"], first_name="Camille", last_name="Durand")

    page.goto("/compte/connexion/")
    expect(
        page.get_by_role("heading", name="Vous êtes agent d'une organisation du programme ?")
    ).to_be_visible()
    screenshot(f"connexion-{width}")
    page.get_by_role("button", name="S'identifier avec ProConnect").click()

    # At the identity provider.
    page.wait_for_url(lambda url: url.startswith(proconnect_provider.url))
    expect(page.get_by_role("heading", name="Fournisseur d'identité de test")).to_be_visible()
    audit()
    page.get_by_label("Adresse électronique").fill(agent["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    # Back on the platform: eIDAS 1, so the platform's own second factor.
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "double-authentification" in url)
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    audit()
    page.locator("main form [name=code]").fill(fresh_code(advisor))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "double-authentification" not in url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers à instruire")
    expect(page.locator("form[action='/compte/deconnexion/'] button").first).to_be_attached()
    screenshot(f"connecte-{width}")

    # Signing out goes through the provider's end of session and back.
    page.locator("form[action='/compte/deconnexion/'] button").first.dispatch_event("click")
    expect(page).to_have_url(re.compile(r"^" + re.escape(live_server.url) + r"/$"))
    expect(page.get_by_text("Vous êtes déconnecté de Tremplin Numérique et de ProConnect.")).to_be_visible()
    screenshot(f"deconnecte-{width}")

    # Out of the provider too: the button now leads to its sign-in form again.
    page.goto("/compte/connexion/")
    audit()
    page.get_by_role("button", name="S'identifier avec ProConnect").click()
    page.wait_for_url(lambda url: url.startswith(proconnect_provider.url))
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    audit()
