"""Every email of the platform leaves through `notify`, which follows the recipient's preference.

Legal notices (a decision on a file, a payment, a clawback, an expiry, the emails needed to use the
account) always leave at once; the others are sent at once, held for a daily or weekly digest, or dropped.
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from tremplin.core import audit
from tremplin.core.errors import ServiceError
from tremplin.core.models import Notification, NotificationFrequency, PendingNotification

DIGEST_SUBJECTS = {
    NotificationFrequency.DAILY: "Tremplin Numérique : votre résumé du jour",
    NotificationFrequency.WEEKLY: "Tremplin Numérique : votre résumé de la semaine",
}


@task()
def send_email(to: str, subject: str, body: str):
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _send_after_commit(to, subject, body):
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, body=body))


def link_in(body):
    """The first page of the site an email points to: the object it is about (every email names it)."""
    found = re.search(re.escape(settings.SITE_ROOT.rstrip("/")) + r"(/[^\s]*)", body)
    return found.group(1).rstrip(".,;)»") if found else ""


def notify(
    user,
    subject: str,
    template: str,
    *,
    legal: bool = False,
    link: str = "",
    subject_params: dict | None = None,
    **context,
):
    """Record a notification for `user` (listed behind the bell) and email it once the current
    transaction commits (never for a rolled-back change), as their preference says.

    `legal=True` for notices with a legal effect or needed to use the account: they ignore the preference.
    `link` is the page of the object; by default, the first page of the site the email points to.
    With `subject_params`, `subject` is a French msgid formatted with them (`{ref}`): the email's subject
    is French, the list behind the bell translates the msgid at display time, in the reader's language.
    """
    if not user or not user.email:
        return
    subject_template = ""
    if subject_params is not None:
        subject_template, subject = subject, subject.format(**subject_params)
    body = render_to_string(template, {"user": user, "site_root": settings.SITE_ROOT, **context})
    Notification.objects.create(
        user=user,
        subject=subject[:255],
        subject_template=subject_template if len(subject_template) <= 255 else "",
        subject_params=subject_params or {},
        link=(link or link_in(body))[:500],
    )
    get_user_model().objects.filter(pk=user.pk).update(unread_notifications=F("unread_notifications") + 1)
    frequency = user.notification_frequency
    if not legal and frequency == NotificationFrequency.NONE:
        return
    if legal or frequency == NotificationFrequency.IMMEDIATE:
        _send_after_commit(user.email, subject, body)
    else:
        # Written in the caller's transaction: a rolled-back change leaves nothing in the digest either.
        PendingNotification.objects.create(user=user, subject=subject[:255], body=body)


def notify_address(email: str, subject: str, template: str, **context):
    """Email someone who may have no account yet (a person given a mandate), once the transaction commits."""
    body = render_to_string(template, {"user": None, "site_root": settings.SITE_ROOT, **context})
    _send_after_commit(email, subject, body)


def set_frequency(user, frequency):
    """Change how `user` receives non-legal emails. What waits for a digest follows the new choice."""
    if frequency not in NotificationFrequency.values:
        raise ServiceError("invalid_frequency", "Choisissez une fréquence dans la liste.", "frequency")
    with transaction.atomic():
        previous = user.notification_frequency
        if previous == frequency:
            return user
        user.notification_frequency = frequency
        user.save(update_fields=["notification_frequency"])
        audit.record(
            user, actor=user, action="notification_frequency", from_state=previous, to_state=frequency
        )
        if frequency == NotificationFrequency.NONE:
            user.pending_notifications.all().delete()
        elif frequency == NotificationFrequency.IMMEDIATE:
            # Nothing is held any more: send what was waiting now rather than never.
            _send_digest(user, "Tremplin Numérique : vos notifications en attente", None)
    return user


def send_digests(frequency, now):
    """Send one email per person whose preference is `frequency`, grouping what waits for them up to `now`.

    Returns the number of emails sent. Each person's email and the deletion of their items share one
    transaction, so an item is never sent twice nor lost.
    """
    if frequency not in DIGEST_SUBJECTS:
        raise ValueError(f"Digests are daily or weekly, not {frequency!r}.")
    users = (
        get_user_model()
        .objects.filter(notification_frequency=frequency, pending_notifications__created_at__lte=now)
        .distinct()
    )
    sent = 0
    for user in users:
        with transaction.atomic():
            if _send_digest(user, DIGEST_SUBJECTS[frequency], now):
                sent += 1
    return sent


def _send_digest(user, subject, now):
    """Group `user`'s pending items (up to `now`, or all) in one email and delete them. In a transaction."""
    items = user.pending_notifications.select_for_update().order_by("created_at", "id")
    if now is not None:
        items = items.filter(created_at__lte=now)
    items = list(items)
    if not items:
        return False
    body = render_to_string(
        "core/emails/digest.txt", {"user": user, "items": items, "site_root": settings.SITE_ROOT}
    )
    count = len(items)
    _send_after_commit(user.email, f"{subject} ({count} notification{'s' if count > 1 else ''})", body)
    PendingNotification.objects.filter(pk__in=[item.pk for item in items]).delete()
    return True


def open_notification(user, pk):
    """`user`'s notification `pk`, marked read (a Notification.DoesNotExist for anyone else's)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=pk, user=user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            get_user_model().objects.filter(pk=user.pk, unread_notifications__gt=0).update(
                unread_notifications=F("unread_notifications") - 1
            )
    return notification


def mark_all_read(user):
    """Mark every notification of `user` read; returns how many were unread."""
    with transaction.atomic():
        count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
        # Less what was just marked, not zero: a notification written meanwhile stays counted.
        people = get_user_model().objects.filter(pk=user.pk)
        if not people.filter(unread_notifications__gte=count).update(
            unread_notifications=F("unread_notifications") - count
        ):
            people.update(unread_notifications=0)
    return count
