"""A workflow form sent twice (a double click, a resend, Back then send) is done once (issue 13).

Each form the file page shows carries a new key (`{% idempotency_field %}`); tremplin.core.idempotency
records it with the request's writes and answers a second send of the same form with the first answer.
"""

import re

import pytest
from django.urls import reverse

from tremplin.core.models import AuditEvent, IdempotencyRecord
from tremplin.vouchers.models import Message, State

pytestmark = pytest.mark.django_db


def key_of(page, action):
    """The key of the form of `action` on the file page."""
    form = re.search(rf'<form method="post" action="[^"]*/actions/{action}/".*?</form>', page, re.S).group(0)
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


def detail(client, application):
    return client.get(reverse("vouchers:detail", args=[application.pk])).content.decode()


def test_a_double_clicked_decision_is_taken_once_and_both_sends_land_on_the_file(
    client_for, under_review, advisor
):
    client = client_for(advisor)
    fields = {
        "approve-note": "Dossier complet.",
        "idempotency_key": key_of(detail(client, under_review), "approve"),
    }
    url = reverse("vouchers:act", args=[under_review.pk, "approve"])

    first = client.post(url, fields)
    second = client.post(url, fields)

    under_review.refresh_from_db()
    assert under_review.state == State.APPROVED
    assert AuditEvent.objects.for_object(under_review).filter(action="approve").count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("vouchers:detail", args=[under_review.pk])
    assert second["Idempotent-Replayed"] == "true"


def test_each_showing_of_the_page_gives_its_forms_a_new_key(client_for, under_review, advisor):
    client = client_for(advisor)
    assert key_of(detail(client, under_review), "approve") != key_of(detail(client, under_review), "approve")


def test_a_form_shown_again_from_the_history_and_changed_is_a_new_request(client_for, under_review, advisor):
    client = client_for(advisor)
    url = reverse("vouchers:act", args=[under_review.pk, "request_info"])
    key = key_of(detail(client, under_review), "request_info")

    empty = client.post(url, {"request_info-message": "", "idempotency_key": key})
    again = client.post(url, {"request_info-message": "", "idempotency_key": key})
    # Back to the page as it was first shown, the question typed this time: the same key, another form.
    typed = client.post(url, {"request_info-message": "Envoyez le devis signé.", "idempotency_key": key})

    assert empty.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert typed.status_code == 302 and "Idempotent-Replayed" not in typed
    assert list(Message.objects.filter(application=under_review).values_list("body", flat=True)) == [
        "Envoyez le devis signé."
    ]
    under_review.refresh_from_db()
    assert under_review.state == State.INFO_REQUESTED


def test_a_form_without_a_key_is_not_recorded(client_for, under_review, advisor):
    client = client_for(advisor)
    url = reverse("vouchers:act", args=[under_review.pk, "approve"])

    client.post(url, {"approve-note": "Dossier complet."})

    assert not IdempotencyRecord.objects.exists()
    under_review.refresh_from_db()
    assert under_review.state == State.APPROVED
