import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.core.helpers import page
from tests.factories import UserFactory
from tremplin.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_a_verified_owner_logs_in_with_email_and_password(client):
    user = UserFactory(email="camille@example.fr")

    response = log_in(client, "Camille@Example.fr")

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_login_form_is_labelled_adresse_electronique(client):
    html = page(client.get(reverse("accounts:login")))

    assert "Adresse électronique" in html
    assert "Mot de passe oublié ?" in html


def test_a_wrong_password_is_refused_with_a_plain_message(client):
    UserFactory(email="camille@example.fr")

    response = log_in(client, "camille@example.fr", "pas-le-bon")

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in page(response)


def test_login_is_locked_after_five_failures(client):
    UserFactory(email="camille@example.fr")

    statuses = [log_in(client, "camille@example.fr", f"faux-{i}").status_code for i in range(5)]
    locked = log_in(client, "camille@example.fr")

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "Connexion bloquée pour un moment" in page(locked)
    assert "Réessayez dans 15 minutes." in page(locked)
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="camille@example.fr", email_verified=False)

    response = client.post(reverse("accounts:password_reset"), {"email": "camille@example.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/compte/mot-de-passe/nouveau/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in page(form_page)
    new_password = "un-autre-mot-de-passe-99"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The link reached the mailbox: the address is proved.
    assert user.email_verified is True
    assert log_in(client, "camille@example.fr", new_password).status_code == 302


def test_password_reset_says_the_same_for_an_unknown_address(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.fr"})

    assert response.status_code == 302
    assert mail.outbox == []
    assert not User.objects.exists()
