"""No personal data in the logs (docs/privacy.md): a person's email, name, IBAN or birth date never reaches
a log record, whatever the path – a failed sign-in included."""

import logging

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db


def logged_text(caplog):
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)


def test_a_file_from_sign_in_to_submission_logs_no_personal_data(client, caplog, scheme, owner, company):
    application = ApplicationFactory(scheme=scheme, owner=owner, company=company)
    representation = owner.representations.get()
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):  # wrong passwords: the lockout and throttle log their own lines
            client.post(reverse("accounts:login"), {"username": owner.email, "password": "faux"})
        client.post(reverse("accounts:password_reset"), {"email": owner.email})
        client.force_login(owner)
        client.get(reverse("vouchers:detail", args=[application.pk]))
        services.submit(owner, application)
        client.get("/cette-page-n-existe-pas/")
    text = logged_text(caplog)
    assert caplog.records  # the sign-in failures, the 404... were logged
    for personal in (
        owner.email,
        owner.last_name,
        application.iban,
        representation.birth_date.isoformat(),
        representation.family_name,
    ):
        assert personal not in text, personal
