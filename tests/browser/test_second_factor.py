"""A manager turns on the second factor in a real browser, then signs in again with a code."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.second_factor import fresh_code

pytestmark = pytest.mark.browser


def code_from_key(key):
    from django_otp.oath import totp

    return str(totp(base64.b32decode(key + "=" * (-len(key) % 8)))).zfill(6)


def sign_in_with_password(page, audit, user):
    page.goto("/compte/connexion/")
    audit()
    form = page.locator("main form")
    form.locator("[name=username]").fill(user.email)
    form.locator("[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_enrols_then_signs_in_with_a_code(page, audit, screenshot, db, width):
    page.set_viewport_size({"width": width, "height": 900})
    manager = UserFactory(manager=True, email="nouvelle@tremplin.example.fr", second_factor=False)

    sign_in_with_password(page, audit, manager)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="QR code de configuration")).to_be_visible()
    screenshot(f"activation-{width}")

    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill(code_from_key(key))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(f"codes-de-secours-{width}")

    page.get_by_role("link", name="J'ai conservé mes codes, continuer").click()
    page.wait_for_url(lambda url: "double-authentification" not in url)
    page.locator("form[action='/compte/deconnexion/'] button").first.dispatch_event("click")
    expect(page).to_have_url(re.compile(r"/$"))
    audit()

    sign_in_with_password(page, audit, manager)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill("000000")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("main")).to_contain_text("Ce code est incorrect ou a expiré")
    screenshot(f"verification-erreur-{width}")

    page.wait_for_timeout(1100)  # django-otp's throttling: one second after one wrong code
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(fresh_code(manager))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(lambda url: "double-authentification" not in url)
    expect(page.locator("form[action='/compte/deconnexion/'] button").first).to_be_attached()
    screenshot(f"apres-connexion-{width}")
