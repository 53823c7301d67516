"""Links in emails point at the address the site is served at (`SITE_ROOT`), whatever the port."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tremplin.vouchers import services


def make_run(*variables):
    """The commands `make run` would execute (printed, not run)."""
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_ROOT", "PORT"}}
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *variables],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "db_worker" in line or "runserver" in line]


def test_make_run_serves_and_links_at_the_same_port():
    commands = make_run("PORT=8123")
    assert len(commands) == 2, commands
    for command in commands:
        assert "SITE_ROOT=http://127.0.0.1:8123" in command, command
    assert "runserver 127.0.0.1:8123" in commands[-1]


def test_make_run_keeps_a_site_root_given_by_the_person():
    for command in make_run("PORT=8123", "SITE_ROOT=https://tremplin.example.fr"):
        assert "SITE_ROOT=https://tremplin.example.fr" in command, command


def test_the_settings_read_the_site_root_from_the_environment():
    env = {**os.environ, "SITE_ROOT": "http://127.0.0.1:8123", "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_ROOT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123"


@pytest.mark.django_db
@override_settings(SITE_ROOT="http://127.0.0.1:8123")
def test_an_email_links_to_the_site_root(draft, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(draft.owner, draft)
    assert mail.outbox
    for message in mail.outbox:
        assert f"http://127.0.0.1:8123/dossiers/{draft.pk}/" in message.body
        assert "8000" not in message.body
