"""Security headers on every page, and production settings that pass Django's deployment check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_page_sends_a_content_security_policy_without_inline_code(client):
    response = client.get(reverse("core:home"))

    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert any(source.startswith("'nonce-") for source in policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_the_dsfr_scripts_carry_the_pages_nonce(client):
    response = client.get(reverse("core:home"))

    nonce = next(s for s in directives(response)["script-src"] if s.startswith("'nonce-"))[7:-1]
    page = response.content.decode()
    assert page.count(f'nonce="{nonce}"') >= 2  # the DSFR module and its fallback
    assert page.count("<script") == page.count('nonce="')


def test_the_nonce_changes_on_every_response(client):
    first = directives(client.get(reverse("core:home")))["script-src"]
    second = directives(client.get(reverse("core:home")))["script-src"]
    assert first != second


def test_every_page_refuses_the_browsers_powerful_features(client):
    policy = client.get(reverse("core:home"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_a_page_with_a_bank_account_is_never_stored_by_the_browser(client):
    application = ApplicationFactory()
    client.force_login(application.owner)

    response = client.get(reverse("vouchers:edit", args=[application.pk]))

    assert response.status_code == 200
    assert application.iban.replace(" ", "")[:8] in response.content.decode().replace(" ", "")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_page_of_a_logged_in_person_is_never_stored(client):
    client.force_login(UserFactory())
    assert "no-store" in client.get(reverse("core:dashboard"), follow=True)["Cache-Control"]


def test_a_public_page_may_be_cached(client):
    assert "no-store" not in client.get(reverse("core:home")).get("Cache-Control", "")


def deployment_check(**environment):
    """`manage.py check --deploy` in a new process with production settings (DEBUG off) and `environment`."""
    production = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-of-enough-length-and-variety-1234567890",
        "ALLOWED_HOSTS": "tremplin-numerique.example.gouv.fr",
        "SITE_ROOT": "https://tremplin-numerique.example.gouv.fr",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**production, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_production_settings_pass_the_deployment_check():
    result = deployment_check(CACHE_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_warns_when_the_cache_is_not_shared_between_processes():
    result = deployment_check(CACHE_URL="")
    assert result.returncode != 0
    assert "tremplin.W001" in result.stdout + result.stderr
