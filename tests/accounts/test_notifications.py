"""Notification preferences: immediate, daily or weekly digest, none; legal notices always leave at once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.core.helpers import page
from tests.factories import ApplicationFactory, EnvelopeFactory, ProviderFactory, SchemeFactory, UserFactory
from tremplin.core.models import AuditEvent, NotificationFrequency, PendingNotification
from tremplin.core.notifications import notify, send_digests, set_frequency
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db

DAILY, WEEKLY = NotificationFrequency.DAILY, NotificationFrequency.WEEKLY


def person(frequency=NotificationFrequency.IMMEDIATE, **traits):
    return UserFactory(notification_frequency=frequency, **traits)


def send(user, subject="Rappel", legal=False):
    """A provider's message, as `providers.emails.notify_members` sends them (the template names the provider)."""
    provider = ProviderFactory.build(name="Agence Web Lumière")
    notify(
        user,
        subject,
        "providers/emails/message.txt",
        body="Une demande vous attend.",
        provider=provider,
        legal=legal,
    )


# --- each preference ------------------------------------------------------------------------------


def test_a_new_person_gets_emails_immediately(django_capture_on_commit_callbacks):
    user = UserFactory()
    assert user.notification_frequency == NotificationFrequency.IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        send(user)
    assert [m.subject for m in mail.outbox] == ["Rappel"]
    assert PendingNotification.objects.count() == 0


@pytest.mark.parametrize("frequency", [DAILY, WEEKLY])
def test_a_digest_preference_holds_the_email(frequency, django_capture_on_commit_callbacks):
    user = person(frequency)
    with django_capture_on_commit_callbacks(execute=True):
        send(user)
    assert mail.outbox == []
    item = PendingNotification.objects.get()
    assert (item.user, item.subject) == (user, "Rappel")
    assert "Une demande vous attend." in item.body


def test_none_drops_what_is_not_legal(django_capture_on_commit_callbacks):
    user = person(NotificationFrequency.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        send(user)
    assert mail.outbox == []
    assert PendingNotification.objects.count() == 0


@pytest.mark.parametrize("frequency", [DAILY, WEEKLY, NotificationFrequency.NONE])
def test_legal_notices_always_leave_immediately(frequency, django_capture_on_commit_callbacks):
    user = person(frequency)
    with django_capture_on_commit_callbacks(execute=True):
        send(user, "Votre chèque est accordé", legal=True)
    assert [m.subject for m in mail.outbox] == ["Votre chèque est accordé"]
    assert PendingNotification.objects.count() == 0


def test_a_rolled_back_change_leaves_nothing_in_the_digest():
    from django.db import transaction

    user = person(DAILY)
    with pytest.raises(RuntimeError), transaction.atomic():
        send(user)
        raise RuntimeError
    assert PendingNotification.objects.count() == 0


# --- the voucher emails: decisions are legal, the rest follows the preference ---------------------


def test_voucher_decision_reaches_an_owner_who_chose_no_email(django_capture_on_commit_callbacks):
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme)
    application = ApplicationFactory(scheme=scheme, owner=person(NotificationFrequency.NONE))
    advisor = UserFactory(advisor=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(application.owner, application)  # acknowledgement: follows the preference
        services.start_review(advisor, application)
        services.approve(advisor, application)  # decision: legal
    to_owner = [m.subject for m in mail.outbox if m.to == [application.owner.email]]
    assert to_owner == [f"Votre chèque numérique {application.reference} est accordé"]


def test_account_verification_ignores_the_preference(django_capture_on_commit_callbacks):
    from tremplin.accounts.services import send_verification

    user = person(NotificationFrequency.NONE, email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_verification(user)
    assert len(mail.outbox) == 1


# --- digests --------------------------------------------------------------------------------------


def test_the_digest_groups_items_per_person_and_clears_them(django_capture_on_commit_callbacks):
    camille, dominique, weekly = person(DAILY), person(DAILY), person(WEEKLY)
    send(camille, "Première demande")
    send(camille, "Deuxième demande")
    send(dominique, "Troisième demande")
    send(weekly, "Pour la semaine")

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(DAILY, timezone.now()) == 2

    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {camille.email, dominique.email}
    assert by_person[camille.email].subject == "Tremplin Numérique : votre résumé du jour (2 notifications)"
    body = by_person[camille.email].body
    assert body.index("Première demande") < body.index("Deuxième demande")
    assert "Troisième demande" not in body
    assert "/compte/notifications/" in body
    assert list(PendingNotification.objects.values_list("subject", flat=True)) == ["Pour la semaine"]


def test_the_weekly_command_sends_weekly_digests_only(django_capture_on_commit_callbacks):
    send(person(WEEKLY), "Pour la semaine")
    send(person(DAILY), "Pour le jour")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--weekly")
    assert [m.subject for m in mail.outbox] == [
        "Tremplin Numérique : votre résumé de la semaine (1 notification)"
    ]
    assert list(PendingNotification.objects.values_list("subject", flat=True)) == ["Pour le jour"]


def test_a_digest_keeps_items_newer_than_its_run_for_the_next_one(django_capture_on_commit_callbacks):
    user = person(DAILY)
    send(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(DAILY, timezone.now() - timedelta(hours=1)) == 0
    assert mail.outbox == [] and PendingNotification.objects.count() == 1


def test_a_digest_with_nothing_waiting_sends_nothing(django_capture_on_commit_callbacks):
    person(DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(DAILY, timezone.now()) == 0
    assert mail.outbox == []


# --- changing one's mind --------------------------------------------------------------------------


def test_choosing_immediate_sends_what_was_waiting(django_capture_on_commit_callbacks):
    user = person(WEEKLY)
    send(user, "En attente")
    with django_capture_on_commit_callbacks(execute=True):
        set_frequency(user, NotificationFrequency.IMMEDIATE)
    assert len(mail.outbox) == 1 and "En attente" in mail.outbox[0].body
    assert PendingNotification.objects.count() == 0
    event = AuditEvent.objects.for_object(user).get()
    assert (event.action, event.from_state, event.to_state) == (
        "notification_frequency",
        "weekly",
        "immediate",
    )


def test_choosing_none_drops_what_was_waiting(django_capture_on_commit_callbacks):
    user = person(DAILY)
    send(user)
    with django_capture_on_commit_callbacks(execute=True):
        set_frequency(user, NotificationFrequency.NONE)
    assert mail.outbox == [] and PendingNotification.objects.count() == 0


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "traits", [{}, {"advisor": True}, {"provider_member": True}, {"manager": True}, {"auditor": True}]
)
def test_every_role_chooses_its_preference_on_the_page(client, traits):
    user = UserFactory(**traits)
    client.force_login(user)
    html = page(client.get(reverse("accounts:notifications")))
    assert "Mes notifications" in html
    assert 'type="radio" name="frequency" value="immediate"' in html
    assert "Un résumé par semaine" in html

    response = client.post(reverse("accounts:notifications"), {"frequency": "weekly"})
    assert response.status_code == 302 and response.url == reverse("accounts:notifications")
    user.refresh_from_db()
    assert user.notification_frequency == NotificationFrequency.WEEKLY
    assert "Votre choix est enregistré." in page(client.get(response.url))


def test_the_page_refuses_an_unknown_choice(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:notifications"), {"frequency": "hourly"})
    assert response.status_code == 200
    assert "Choisissez une des possibilités de la liste." in response.content.decode()
    user.refresh_from_db()
    assert user.notification_frequency == NotificationFrequency.IMMEDIATE


def test_the_page_is_linked_from_the_list_behind_the_header_s_bell(client):
    client.force_login(UserFactory())
    assert f'href="{reverse("accounts:inbox")}"' in page(client.get(reverse("core:dashboard"), follow=True))
    assert f'href="{reverse("accounts:notifications")}"' in page(client.get(reverse("accounts:inbox")))


def test_the_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("accounts:notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_page_in_english(client):
    from django.conf import settings

    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client.get(reverse("accounts:notifications")))
    assert "My notifications" in html
    assert "One summary a week" in html
    assert "Un résumé par semaine" not in html


def test_the_radio_buttons_point_to_a_hint_that_exists(client):
    import re

    client.force_login(UserFactory())
    html = page(client.get(reverse("accounts:notifications")))
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    referenced = {ref for value in described for ref in value.split()}
    assert referenced and referenced <= ids
