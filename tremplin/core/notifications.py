from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


@task()
def send_email(to: str, subject: str, body: str):
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def notify(user, subject: str, template: str, **context):
    """Queue an email once the current transaction commits (never for a rolled-back change)."""
    if not user or not user.email:
        return
    body = render_to_string(template, {"user": user, "site_root": settings.SITE_ROOT, **context})
    transaction.on_commit(lambda: send_email.enqueue(to=user.email, subject=subject, body=body))
