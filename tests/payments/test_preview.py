"""Before creating a payment batch, the manager sees what it would hold and what it would leave out."""

import pytest
from django.urls import reverse

from tests.factories import register_account
from tests.payments.flows import claim_approved_application
from tremplin.core.formatting import euros
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


def test_the_preview_lists_the_transfers_and_the_files_left_out_and_creates_nothing(
    client_for, manager, advisor, scheme
):
    paid = claim_approved_application(scheme, advisor)
    left_out = claim_approved_application(scheme, advisor)
    # The second file's account was changed outside the platform's check: it is not verified any more.
    Application.objects.filter(pk=left_out.pk).update(iban="FR7630004000031234567890143")
    register_account("FR7630004000031234567890143", "Quelqu'un d'autre")

    page = client_for(manager).get(reverse("payments:batches")).content.decode()
    preview_url = reverse("payments:preview", args=[scheme.pk])
    assert preview_url in page

    response = client_for(manager).get(preview_url)
    body = response.content.decode()
    assert response.status_code == 200
    assert paid.reference in body and paid.company.display_name in body
    assert euros(paid.claim.payable_cents) in body
    assert f"Dossier {left_out.reference} : le compte à créditer n&#x27;est pas confirmé" in body
    assert "Créer le lot de 1 virement" in body
    assert not PaymentBatch.objects.exists() and not PaymentLine.objects.exists()


def test_the_auditor_sees_the_preview_without_the_button(client_for, auditor, advisor, scheme):
    claim_approved_application(scheme, advisor)
    body = client_for(auditor).get(reverse("payments:preview", args=[scheme.pk])).content.decode()
    assert "Créer le lot" not in body


def test_the_preview_is_refused_to_owners_and_advisors(client_for, owner, advisor, scheme):
    for person in (owner, advisor):
        assert client_for(person).get(reverse("payments:preview", args=[scheme.pk])).status_code == 403


def test_the_auditor_s_menu_leads_to_the_payments(client_for, auditor):
    page = client_for(auditor).get(reverse("vouchers:list")).content.decode()
    menu = page.split('id="fr-navigation"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("payments:batches")}"' in menu
