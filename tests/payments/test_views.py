"""Payment pages: only programme managers act; auditors read; everyone else is refused."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.payments.flows import claim_approved_application
from tremplin.payments import services
from tremplin.payments.models import PaymentBatch
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(scheme, advisor):
    """Two approved claims waiting for a transfer."""
    return [claim_approved_application(scheme, advisor) for _ in range(2)]


@pytest.fixture
def batch(waiting, manager, scheme):
    return services.create_batch(manager, scheme)


def login(client, user):
    client.force_login(user)
    return client


def test_manager_sees_claims_waiting_per_scheme(client, manager, waiting, scheme):
    response = login(client, manager).get(reverse("payments:batches"))
    assert response.status_code == 200
    body = response.content.decode()
    assert scheme.name in body and "Préparer un lot de virements" in body
    assert "4\u202f000 €" in body


def test_auditor_reads_the_payments_page_without_buttons(client, waiting):
    response = login(client, UserFactory(auditor=True)).get(reverse("payments:batches"))
    assert response.status_code == 200
    assert "Préparer un lot de virements" not in response.content.decode()


def test_payment_pages_are_refused_to_owners_advisors_and_providers(client, batch, advisor):
    for user in (UserFactory(), advisor, UserFactory(provider_member=True)):
        login(client, user)
        assert client.get(reverse("payments:batches")).status_code == 403
        assert client.get(reverse("payments:batch", args=[batch.pk])).status_code == 403
        assert client.get(reverse("payments:sepa", args=[batch.pk])).status_code == 403


def test_batches_page_query_count_is_pinned(client, manager, scheme, advisor, django_assert_num_queries):
    claim_approved_application(scheme, advisor)
    services.create_batch(manager, scheme)
    claim_approved_application(scheme, advisor)
    login(client, manager)
    with django_assert_num_queries(9):  # +1: the TOTP device of the verified session (django-otp)
        client.get(reverse("payments:batches"))
    for _ in range(3):
        services.create_batch(manager, scheme)
        claim_approved_application(scheme, advisor)
    with django_assert_num_queries(9):  # +1: the TOTP device of the verified session (django-otp)
        client.get(reverse("payments:batches"))


def test_manager_prepares_a_batch(client, manager, waiting, scheme):
    response = login(client, manager).post(reverse("payments:create"), {"scheme": scheme.pk})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payments:batch", args=[batch.pk])
    body = client.get(response["Location"]).content.decode()
    assert waiting[0].reference in body and "Marquer comme payé" in body


def test_preparing_a_batch_with_nothing_to_pay_says_so(client, manager, scheme):
    response = login(client, manager).post(reverse("payments:create"), {"scheme": scheme.pk}, follow=True)
    assert "Aucune demande de paiement validée" in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_only_managers_prepare_batches(client, waiting, scheme, advisor):
    for user in (UserFactory(auditor=True), advisor, waiting[0].owner):
        assert login(client, user).post(reverse("payments:create"), {"scheme": scheme.pk}).status_code == 403
    assert not PaymentBatch.objects.exists()


def test_the_sepa_file_downloads(client, manager, batch):
    response = login(client, manager).get(reverse("payments:sepa", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{batch.filename}"'
    assert response.content.startswith(b"<?xml") and batch.message_id.encode() in response.content


def test_marking_paid_needs_a_confirmation(client, manager, batch, waiting):
    response = login(client, manager).post(reverse("payments:mark_paid", args=[batch.pk]), {})
    assert response.status_code == 200
    assert "Cochez la case pour confirmer le paiement." in response.content.decode()
    assert Application.objects.filter(state=State.PAID).count() == 0


def test_manager_marks_a_batch_paid_once(client, manager, batch, waiting):
    login(client, manager)
    response = client.post(reverse("payments:mark_paid", args=[batch.pk]), {"paid-confirm": "on"})
    assert response.status_code == 302
    assert Application.objects.filter(state=State.PAID).count() == 2
    response = client.post(reverse("payments:mark_paid", args=[batch.pk]), {"paid-confirm": "on"})
    assert response.status_code == 409
    assert "rien n&#x27;a été payé une seconde fois" in response.content.decode()


def test_only_managers_mark_paid(client, batch, advisor):
    for user in (UserFactory(auditor=True), advisor):
        response = login(client, user).post(
            reverse("payments:mark_paid", args=[batch.pk]), {"paid-confirm": "on"}
        )
        assert response.status_code == 403
    assert Application.objects.filter(state=State.PAID).count() == 0


def test_manager_regenerates_and_cancels_a_batch(client, manager, batch):
    login(client, manager)
    assert client.post(reverse("payments:regenerate", args=[batch.pk])).status_code == 302
    response = client.post(reverse("payments:cancel", args=[batch.pk]), {"cancel-reason": ""})
    assert "Indiquez pourquoi le lot est annulé." in response.content.decode()
    response = client.post(reverse("payments:cancel", args=[batch.pk]), {"cancel-reason": "IBAN corrigé"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == PaymentBatch.State.CANCELLED
