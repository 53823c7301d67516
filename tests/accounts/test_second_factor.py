"""The second factor of advisors, managers and auditors: enrolment, verification, recovery codes, enforcement."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.second_factor import code_for, fresh_code
from tremplin.accounts import second_factor
from tremplin.accounts.second_factor import IDENTITY_PROVIDER_ACR_SESSION_KEY
from tremplin.core.models import AuditEvent

ENROL = reverse("accounts:second_factor_enrol")
VERIFY = reverse("accounts:second_factor_verify")
SECURITY = reverse("accounts:security")


def password_login(user):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def actions(user):
    return list(AuditEvent.objects.for_object(user).values_list("action", flat=True))


def stopped(client, url=None):
    """Whether the page sends the person to the second factor rather than showing (or redirecting) it."""
    response = client.get(url or reverse("core:dashboard"))
    return response.status_code == 302 and response["Location"].startswith((VERIFY, ENROL))


def waited(device):
    """As if the person waited out the delay the last wrong code gave (django-otp's throttling)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )


def key_on_page(html):
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', html).group(1)
    return key.replace(" ", "")


@pytest.fixture
def new_manager(db):
    return UserFactory(manager=True, email="nouvelle@tremplin.example.fr", second_factor=False)


def test_a_staff_person_without_device_is_sent_to_enrol_and_confirms_with_a_code(new_manager):
    client = password_login(new_manager)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)

    page = client.get(ENROL)
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=new_manager, confirmed=False)
    assert key_on_page(html) == second_factor.base32_key(device)

    wrong = client.post(ENROL, {"code": "000000"})
    assert wrong.status_code == 400
    assert "Ce code est incorrect ou a expiré" in wrong.content.decode()
    waited(device)

    done = client.post(ENROL, {"code": code_for(device), "next": "/"})
    assert done.status_code == 302
    codes_page = client.get(done["Location"])
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", codes_page.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=new_manager).values_list("token", flat=True)
    )
    # shown once
    assert client.get(reverse("accounts:second_factor_codes")).status_code == 302
    assert not stopped(client)
    assert "second_factor_enrolled" in actions(new_manager)


def test_a_staff_person_with_a_device_must_give_a_code_after_the_password(manager):
    client = password_login(manager)
    response = client.get(reverse("core:dashboard"))
    assert response["Location"] == VERIFY + "?next=" + reverse("core:dashboard").replace("/", "%2F")

    wrong = client.post(VERIFY, {"code": "123456"})
    assert wrong.status_code == 400
    assert "Ce code est incorrect ou a expiré" in wrong.content.decode()
    assert stopped(client)
    waited(second_factor.confirmed_device(manager))

    right = client.post(VERIFY, {"code": fresh_code(manager), "next": "/tableau-de-bord/"})
    assert right.status_code == 302
    assert not stopped(client)


def test_a_code_is_not_accepted_twice(manager):
    code = fresh_code(manager)
    assert password_login(manager).post(VERIFY, {"code": code}).status_code == 302
    replay = password_login(manager).post(VERIFY, {"code": code})
    assert replay.status_code == 400


def test_wrong_codes_are_throttled_even_before_the_right_one(manager):
    # The clock stands still: on a loaded machine the seconds of the delay would run out between two posts.
    with time_machine.travel(timezone.now(), tick=False):
        client = password_login(manager)
        for _ in range(3):
            client.post(VERIFY, {"code": "000000"})
        device = second_factor.confirmed_device(manager)
        device.refresh_from_db()
        assert device.throttling_failure_count >= 1  # the first refusal; the next ones were not even tried
        code = code_for(device)
        response = client.post(VERIFY, {"code": code})
        assert response.status_code == 400
        assert "Trop d&#x27;essais incorrects" in response.content.decode()
        assert stopped(client)


def test_a_recovery_code_works_once_and_the_count_shows(manager):
    client = password_login(manager)
    codes = second_factor._new_recovery_codes(manager)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 302
    assert "recovery_code_used" in actions(manager)
    page = client.get(SECURITY).content.decode()
    assert "Il vous reste 9 codes de secours." in page

    again = password_login(manager).post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400


def test_regenerating_recovery_codes_needs_a_code_and_tells_the_person(logged_in, manager, sent, snapshot):
    old = second_factor._new_recovery_codes(manager)
    client = logged_in(manager)
    assert client.post(SECURITY, {"action": "regenerate", "r-code": "000000"}).status_code == 400
    emails = sent(client.post, SECURITY, {"action": "regenerate", "r-code": fresh_code(manager)})
    assert len(emails) == 1
    assert emails[0].body == snapshot
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert StaticToken.objects.filter(device__user=manager).count() == 10
    assert "recovery_codes_regenerated" in actions(manager)


def test_resetting_the_device_needs_a_code_and_sends_to_enrolment(logged_in, manager, sent, snapshot):
    client = logged_in(manager)
    emails = sent(client.post, SECURITY, {"action": "reset", "d-code": fresh_code(manager)})
    assert len(emails) == 1
    assert emails[0].body == snapshot
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get(reverse("core:dashboard"))["Location"].startswith(ENROL)
    assert "second_factor_reset" in actions(manager)


@pytest.mark.parametrize("role", ["advisor", "manager", "auditor"])
def test_every_staff_role_is_stopped_on_pages_and_the_admin(db, role):
    user = UserFactory(**{role: True}, is_staff=(role == "manager"))
    client = Client()
    client.force_login(user, verified=False)
    for url in (reverse("core:dashboard"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY)
    api = client.get("/api/v1/")
    assert api.status_code in (403, 404)
    if api.status_code == 403:
        assert api.json()["detail"].startswith("Double authentification requise")
    # sign out stays open
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_a_session_api_call_gets_403_json(manager):
    client = Client()
    client.force_login(manager, verified=False)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 403
    assert "Double authentification requise" in response.json()["detail"]


def test_owners_and_providers_are_not_asked(owner, provider_member):
    for user in (owner, provider_member):
        client = password_login(user)
        assert not stopped(client)


@pytest.mark.parametrize(
    ("acr", "verified"), [("eidas2", True), ("eidas3", True), ("eidas1", False), ("", False)]
)
def test_a_strong_identity_provider_sign_in_counts_as_second_factor(manager, acr, verified):
    client = Client()
    client.force_login(manager, verified=False)
    session = client.session
    session[IDENTITY_PROVIDER_ACR_SESSION_KEY] = acr
    session.save()
    assert stopped(client) is not verified
    assert IDENTITY_PROVIDER_ACR_SESSION_KEY == "auth_acr"


def test_the_second_factor_pages_speak_english(new_manager, manager):
    from tests.i18n.test_english_everywhere import french_left

    for user, url in ((new_manager, ENROL), (manager, VERIFY)):
        client = Client()
        client.cookies["django_language"] = "en"
        client.force_login(user, verified=False)
        html = client.get(url).content.decode()
        assert '<html lang="en"' in html
        assert not french_left(html), french_left(html)


@pytest.mark.django_db
def test_an_administrator_removing_someone_s_device_is_audited_and_told(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    admin = UserFactory(manager=True, is_staff=True, is_superuser=True)
    advisor = UserFactory(advisor=True)
    device = second_factor.confirmed_device(advisor)
    client.force_login(admin)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"post": "yes"}).status_code == 302
    assert second_factor.confirmed_device(advisor) is None
    event = AuditEvent.objects.for_object(advisor).get(action="second_factor_removed_by_admin")
    assert event.actor == admin
    assert [m.to for m in mail.outbox] == [[advisor.email]]


@pytest.mark.django_db
def test_an_administrator_changing_someone_s_device_is_audited(client):
    admin = UserFactory(manager=True, is_staff=True, is_superuser=True)
    advisor = UserFactory(advisor=True)
    device = second_factor.confirmed_device(advisor)
    client.force_login(admin)
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(
        user=advisor.pk, name="Téléphone", confirmed="on", tolerance=1, t0=0, step=30, digits=6, drift=0
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AuditEvent.objects.for_object(advisor).filter(action="second_factor_changed_by_admin").exists()
