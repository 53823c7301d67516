"""Nobody locks another out: axes counts per account *and* address, a short growing delay per account."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import UserFactory
from tremplin.accounts import throttle

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
EMAIL = "camille@example.fr"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def log_in(client, ip, password=PASSWORD, email=EMAIL):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(client):
    UserFactory(email=EMAIL)

    statuses = [log_in(client, "203.0.113.7", f"faux-{i}").status_code for i in range(5)]
    from_elsewhere = log_in(client, "198.51.100.20")

    assert statuses[-1] == 429  # the attacker's address is locked for this account
    assert from_elsewhere.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_attacker_s_address_stays_locked_for_that_account(client):
    UserFactory(email=EMAIL)
    for i in range(5):
        log_in(client, "203.0.113.7", f"faux-{i}")

    assert log_in(client, "203.0.113.7").status_code == 429


def test_failures_from_many_addresses_bring_a_short_growing_delay_for_the_account(client):
    UserFactory(email=EMAIL)
    with time_machine.travel(START, tick=False) as traveller:
        for i in range(throttle.free_failures()):
            log_in(client, f"203.0.113.{i % 3}", f"faux-{i}")

        refused = log_in(client, "198.51.100.20")
        assert refused.status_code == 429
        assert "Trop d'essais de connexion pour ce compte" in page(refused)
        assert "Réessayez dans 1 seconde" in page(refused)
        assert "_auth_user_id" not in client.session

        traveller.shift(2)
        assert log_in(client, "198.51.100.20", "encore-faux").status_code == 200  # one more failure
        again = log_in(client, "198.51.100.20")
        assert again.status_code == 429
        assert "Réessayez dans 2 secondes" in page(again)

        traveller.shift(3)
        assert log_in(client, "198.51.100.20").status_code == 302


def test_the_delay_doubles_and_stops_at_fifteen_minutes():
    with time_machine.travel(START, tick=False):
        delays = []
        for _ in range(throttle.free_failures() + 15):
            throttle.record_failure(EMAIL)
            delays.append(throttle.retry_after(EMAIL))

    n = throttle.free_failures()
    assert delays[: n - 1] == [0] * (n - 1)
    assert delays[n - 1 : n + 4] == [1, 2, 4, 8, 16]
    assert delays[-1] == 15 * 60


def test_the_delay_message_is_in_minutes_when_long(client):
    UserFactory(email=EMAIL)
    with time_machine.travel(START, tick=False):
        for _ in range(throttle.free_failures() + 12):
            throttle.record_failure(EMAIL)
        refused = log_in(client, "198.51.100.20")

    assert refused.status_code == 429
    assert "Réessayez dans 15 minutes" in page(refused)
    assert 'value="camille@example.fr"' in page(refused)


def test_a_successful_login_clears_the_account_s_failures(client):
    UserFactory(email=EMAIL)
    for _ in range(throttle.free_failures() - 1):
        throttle.record_failure(EMAIL)

    assert log_in(client, "198.51.100.20").status_code == 302
    throttle.record_failure(EMAIL)
    assert throttle.retry_after(EMAIL) == 0


# --- password reset -----------------------------------------------------------------------------------


def reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_the_sixth_password_reset_from_one_address_in_an_hour_is_refused_and_sends_nothing(client):
    people = [UserFactory(email=f"personne{i}@example.fr") for i in range(6)]

    statuses = [reset(client, person.email).status_code for person in people[:5]]
    assert statuses == [302] * 5
    assert len(mail.outbox) == 5

    refused = reset(client, people[5].email)
    assert refused.status_code == 429
    html = page(refused)
    assert "Trop de demandes en peu de temps" in html
    assert 'value="personne5@example.fr"' in html
    assert len(mail.outbox) == 5
    assert reset(client, people[5].email, ip="198.51.100.20").status_code == 302


def test_one_address_gets_at_most_three_reset_emails_an_hour_whatever_the_sender(client):
    UserFactory(email=EMAIL)

    statuses = [reset(client, EMAIL, ip=f"203.0.113.{i}").status_code for i in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3


# --- sign-up ------------------------------------------------------------------------------------------


def test_sign_ups_from_one_address_are_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup_ip": "2/h"}

    def sign_up(i):
        data = {"first_name": "Nina", "last_name": "Nouvelle", "password": "un-mot-de-passe-solide-77"}
        data["email"] = f"nouveau{i}@example.fr"
        return client.post(reverse("accounts:signup"), data, REMOTE_ADDR="203.0.113.7")

    statuses = [sign_up(i).status_code for i in range(3)]

    assert statuses == [302, 302, 429]
    html = page(sign_up(3))
    assert "Trop de demandes en peu de temps" in html
    assert 'value="nouveau3@example.fr"' in html


def test_the_limits_speak_english_to_an_english_reader(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    UserFactory(email=EMAIL)
    with time_machine.travel(START, tick=False):
        for _ in range(throttle.free_failures() + 1):
            throttle.record_failure(EMAIL)
        assert "Too many sign-in attempts for this account. Try again in 2 seconds." in page(
            log_in(client, "198.51.100.20")
        )
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_ip": "0/h"}
    assert "Too many requests in a short time. Try again in" in page(reset(client, EMAIL))


def test_the_admin_sign_in_page_meets_the_same_delay(client, manager):
    manager.set_password(PASSWORD)
    manager.is_staff = True
    manager.save()
    with time_machine.travel(START, tick=False):
        for _ in range(throttle.free_failures()):
            throttle.record_failure(manager.email)
        refused = client.post(reverse("admin:login"), {"username": manager.email, "password": PASSWORD})

    assert "Trop d'essais de connexion pour ce compte" in page(refused)
    assert "_auth_user_id" not in client.session
