import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import UserFactory
from tremplin.accounts import services
from tremplin.accounts.models import Role, User
from tremplin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide-2026"


def sign_up(client, **overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "camille@example.fr",
        "password": PASSWORD,
    }
    return client.post(reverse("accounts:signup"), {**data, **overrides})


def verification_link(message):
    return re.search(r"https?://\S+(/compte/verification/\S+/)", message.body).group(1)


def test_sign_up_creates_an_unverified_owner_and_emails_a_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, email="Camille@Example.fr")

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_done")
    user = User.objects.get()
    assert user.email == "camille@example.fr"
    assert user.role == Role.OWNER
    assert user.email_verified is False
    assert AuditEvent.objects.for_object(user).get().action == "register"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille@example.fr"]
    assert "/compte/verification/" in mail.outbox[0].body
    assert "camille@example.fr" in page(client.get(response.url))


def test_sign_up_with_an_address_already_used_answers_as_for_a_new_one_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="camille@example.fr", email_verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        new_address = sign_up(Client(), email="dominique@example.fr")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, email="CAMILLE@example.fr")

    # The same answer as for a new address: the page does not tell whether an account exists.
    assert response.status_code == new_address.status_code == 302
    assert response.url == new_address.url == reverse("accounts:signup_done")
    assert "camille@example.fr" in page(client.get(response.url))
    assert User.objects.filter(email="camille@example.fr").count() == 1
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD) is False  # nothing about the account changed
    # The owner of the address learns it by email, with the way back in.
    (message,) = mail.outbox
    assert message.to == ["camille@example.fr"]
    assert "Vous avez déjà un compte" in message.body
    assert reverse("accounts:password_reset") in message.body
    assert AuditEvent.objects.for_object(existing).filter(action="signup_with_taken_address").exists()


def test_sign_up_again_before_verifying_sends_a_new_verification_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(Client())

    assert response.url == reverse("accounts:signup_done")
    (message,) = mail.outbox
    assert "/compte/verification/" in message.body
    assert User.objects.count() == 1


def test_sign_up_refuses_a_weak_password_and_creates_nothing(client):
    response = sign_up(client, password="azerty")

    assert response.status_code == 200
    assert 'aria-describedby="id_password-desc-error id_password_helptext"' in page(response)
    assert not User.objects.exists()


def test_sign_up_asks_for_every_field(client):
    response = client.post(reverse("accounts:signup"), {})

    html = page(response)
    assert "Indiquez votre prénom." in html
    assert "Indiquez votre nom." in html
    assert "Indiquez votre adresse électronique." in html
    assert "Choisissez un mot de passe." in html


def test_an_unverified_account_cannot_log_in(client):
    UserFactory(email="camille@example.fr", email_verified=False)

    response = client.post(
        reverse("accounts:login"), {"username": "camille@example.fr", "password": "motdepasse-solide-42"}
    )

    assert response.status_code == 200
    assert "pas encore vérifiée" in page(response)
    assert "_auth_user_id" not in client.session


def test_the_verification_link_verifies_and_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    link = verification_link(mail.outbox[0])

    response = client.get(link)

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    user = User.objects.get()
    assert user.email_verified is True
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [e.action for e in AuditEvent.objects.for_object(user)] == ["register", "verify_email"]


def test_a_used_verification_link_does_not_log_in_again(client):
    user = UserFactory(email_verified=True)

    response = client.get(reverse("accounts:verify", args=[services.verification_token(user)]))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_an_expired_verification_link_is_refused(client, monkeypatch):
    user = UserFactory(email_verified=False)
    four_days_ago = signing.TimestampSigner().timestamp()
    monkeypatch.setattr(
        signing.TimestampSigner,
        "timestamp",
        lambda self: signing.b62_encode(signing.b62_decode(four_days_ago) - 4 * 86400),
    )
    token = services.verification_token(user)
    monkeypatch.undo()

    response = client.get(reverse("accounts:verify", args=[token]))

    assert response.status_code == 400
    assert "Ce lien a expiré" in page(response)
    user.refresh_from_db()
    assert user.email_verified is False


def test_a_tampered_verification_link_is_refused(client):
    user = UserFactory(email_verified=False)
    other = UserFactory(email_verified=False)
    token = services.verification_token(user).replace(str(user.pk), str(other.pk), 1)

    response = client.get(reverse("accounts:verify", args=[token]))

    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in page(response)
    assert not User.objects.filter(email_verified=True).exists()


def test_a_new_link_is_sent_only_to_an_unverified_account(client, django_capture_on_commit_callbacks):
    UserFactory(email="waiting@example.fr", email_verified=False)
    UserFactory(email="done@example.fr", email_verified=True)

    with django_capture_on_commit_callbacks(execute=True):
        for email in ["waiting@example.fr", "done@example.fr", "nobody@example.fr"]:
            response = client.post(reverse("accounts:resend_verification"), {"email": email})
            assert response.status_code == 302

    assert [m.to for m in mail.outbox] == [["waiting@example.fr"]]
