"""The list behind the bell: every notification the platform wrote for a person, newest first, unread
marked, each opening its object; the bell says how many are unread."""

from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from tests.factories import UserFactory
from tremplin.core.models import Notification, NotificationFrequency
from tremplin.core.notifications import notify
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db


def html_of(response):
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_each_notification_is_listed_for_its_recipient_with_the_link_of_its_object(draft, sent):
    sent(services.submit, draft.owner, draft)
    notification = Notification.objects.get(user=draft.owner)
    assert notification.subject == f"Votre demande {draft.reference} est déposée"
    assert notification.link == reverse("vouchers:detail", args=[draft.pk])
    assert notification.read_at is None


def test_a_person_who_chose_no_email_still_finds_her_notifications_on_the_site(draft):
    draft.owner.notification_frequency = NotificationFrequency.NONE
    draft.owner.save()
    services.submit(draft.owner, draft)
    assert Notification.objects.filter(user=draft.owner).count() == 1


def test_a_change_rolled_back_leaves_no_notification(draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(draft.owner, "Rappel", "vouchers/emails/reminder.txt", application=draft)
        raise RuntimeError
    assert not Notification.objects.exists()
    draft.owner.refresh_from_db()
    assert draft.owner.unread_notifications == 0


def test_the_list_shows_newest_first_and_marks_the_unread(client_for, draft):
    services.submit(draft.owner, draft)
    first = Notification.objects.get()
    first.read_at = first.created_at
    first.save()
    notify(draft.owner, "Votre chèque expire bientôt", "vouchers/emails/reminder.txt", application=draft)
    html = html_of(client_for(draft.owner).get(reverse("accounts:inbox")))
    assert html.index("Votre chèque expire bientôt") < html.index(
        f"Votre demande {draft.reference} est déposée"
    )
    assert html.count("Non lue") == 1
    assert reverse("accounts:open_notification", args=[first.pk]) in html


def test_opening_a_notification_marks_it_read_and_leads_to_its_object(client_for, draft):
    services.submit(draft.owner, draft)
    notification = Notification.objects.get()
    response = client_for(draft.owner).get(reverse("accounts:open_notification", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == reverse("vouchers:detail", args=[draft.pk])
    notification.refresh_from_db()
    draft.owner.refresh_from_db()
    assert notification.read_at is not None and draft.owner.unread_notifications == 0


def test_no_one_opens_another_person_s_notification(client_for, draft, other_owner):
    services.submit(draft.owner, draft)
    notification = Notification.objects.get()
    response = client_for(other_owner).get(reverse("accounts:open_notification", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read(client_for, draft):
    services.submit(draft.owner, draft)
    notify(draft.owner, "Votre chèque expire bientôt", "vouchers/emails/reminder.txt", application=draft)
    other = UserFactory()
    notify(other, "Rappel", "vouchers/emails/reminder.txt", application=draft)
    client = client_for(draft.owner)
    response = client.post(reverse("accounts:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=draft.owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1
    html = html_of(client.get(reverse("accounts:inbox")))
    assert "Non lue" not in html


def test_the_bell_says_how_many_notifications_are_unread(client_for, draft):
    client = client_for(draft.owner)
    html = html_of(client.get(reverse("vouchers:list")))
    assert "non lue" not in html
    services.submit(draft.owner, draft)
    notify(draft.owner, "Votre chèque expire bientôt", "vouchers/emails/reminder.txt", application=draft)
    html = html_of(client.get(reverse("vouchers:list")))
    bell = html[html.index(f'href="{reverse("accounts:inbox")}"') :]
    bell = bell[: bell.index("</a>")]
    assert "Mes notifications" in bell and "2" in bell and "non lues" in bell


def test_the_bell_and_the_list_in_english(client_for, draft):
    services.submit(draft.owner, draft)
    client = client_for(draft.owner)
    client.cookies["django_language"] = "en"
    html = html_of(client.get(reverse("accounts:inbox")))
    assert "My notifications" in html and "1 unread" in html and "Unread" in html
    assert "Mark all as read" in html
    assert "Tout marquer comme lu" not in html


def test_the_list_asks_to_sign_in(client):
    response = client.get(reverse("accounts:inbox"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
