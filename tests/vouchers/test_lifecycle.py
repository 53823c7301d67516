"""The whole life of a voucher, driven only through the pages, by the people allowed to act."""

import pytest
from django.urls import reverse

from tests.factories import (
    IBAN_FR,
    VALID_SIRENS,
    CompanyFactory,
    ProviderFactory,
    UserFactory,
    pdf_file,
    register_account,
    register_representative,
)
from tremplin.core.models import AuditEvent
from tremplin.payments.models import PaymentBatch
from tremplin.schemes.models import Envelope
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def act(client, app, action, **data):
    response = client.post(
        reverse("vouchers:act", args=[app.pk, action]), {f"{action}-{k}": v for k, v in data.items()}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response


def state(app):
    return Application.objects.values_list("state", flat=True).get(pk=app.pk)


def test_a_voucher_goes_from_draft_to_payment_and_clawback_through_the_pages(
    client, scheme, advisor, manager
):
    owner = UserFactory()
    company = CompanyFactory(siren=VALID_SIRENS[4], denomination="Atelier Lumière")
    provider = ProviderFactory()
    # The register lists her as the company's manager; her bank holds the account in the company's name.
    register_representative(company, "Camille Marie", "Martin", "1980-04", "Gérante")
    register_account(IBAN_FR, "ATELIER LUMIERE")

    # The owner identifies the company, says who she is, and starts a draft.
    login(client, owner)
    response = client.post(
        reverse("vouchers:new"),
        {
            "identifier": VALID_SIRENS[4],
            "scheme": scheme.pk,
            "confirm": "1",
            "who-capacity": "representative",
            "who-given_names": "Camille",
            "who-family_name": "Martin",
            "who-birth_date": "1980-04-12",
        },
    )
    app = Application.objects.get()
    assert response["Location"] == reverse("vouchers:edit", args=[app.pk])
    edit = reverse("vouchers:edit", args=[app.pk])

    # The form saves itself as it is typed...
    response = client.post(
        edit, {"declared_headcount": "3", "project_description": "Site de vente"}, headers={"X-Autosave": "1"}
    )
    assert response.json()["errors"] == {}
    app.refresh_from_db()
    assert app.declared_headcount == 3

    # ...and the owner submits it.
    response = client.post(
        edit,
        {
            "declared_turnover": "120 000",
            "declared_de_minimis": "0",
            "has_linked_companies": "no",
            "spend_category": "ecommerce",
            "project_description": "Site de vente",
            "provider": str(provider.pk),
            "planned_spend": "3 000",
            "quote": pdf_file(),
            "iban": IBAN_FR,
            "account_holder": "Atelier Lumière",
            "bank_document": pdf_file("rib.pdf"),
            "_action": "submit",
        },
    )
    assert response["Location"] == reverse("vouchers:detail", args=[app.pk])
    assert (
        "Le montant de 1\u202f500 € est réservé pour vous"
        in client.get(response["Location"]).content.decode()
    )
    assert state(app) == State.SUBMITTED

    # The advisor of the territory reviews, asks a question, the owner answers, the advisor approves.
    login(client, advisor)
    assert app.reference in client.get(reverse("vouchers:queue")).content.decode()
    act(client, app, "start_review")
    act(client, app, "request_info", message="Le devis est-il signé ?")
    login(client, owner)
    act(client, app, "answer_info", message="Oui, le voici.", attachments=pdf_file("devis-signe.pdf"))
    login(client, advisor)
    act(client, app, "approve", note="Complet.")
    assert state(app) == State.APPROVED

    # The decision letter is a PDF.
    login(client, owner)
    letter = client.get(reverse("vouchers:letter", args=[app.pk]))
    assert letter.content.startswith(b"%PDF")

    # Claim, review, a request for a missing piece, the answer, approval.
    act(
        client,
        app,
        "submit_claim",
        invoice=pdf_file("facture.pdf"),
        proof_of_payment=pdf_file("releve.pdf"),
        invoiced_spend="2 800",
    )
    login(client, advisor)
    act(client, app, "start_claim_review")
    act(client, app, "request_claim_info", message="Le relevé ne montre pas le paiement.")
    login(client, owner)
    act(client, app, "answer_claim_info", message="Voici le bon relevé.", attachments=pdf_file("releve2.pdf"))
    login(client, advisor)
    invoice = client.get(reverse("vouchers:document", args=[app.pk, "facture"]))
    assert b"".join(invoice.streaming_content).startswith(b"%PDF")
    act(client, app, "approve_claim")
    assert state(app) == State.CLAIM_APPROVED

    # The manager prepares the transfer file, downloads it and records the payment.
    login(client, manager)
    response = client.post(reverse("payments:create"), {"scheme": scheme.pk})
    batch = PaymentBatch.objects.get()
    assert response["Location"] == reverse("payments:batch", args=[batch.pk])
    xml = client.get(reverse("payments:sepa", args=[batch.pk]))
    assert xml["Content-Type"] == "application/xml"
    assert b'<InstdAmt Ccy="EUR">1400.00</InstdAmt>' in xml.content
    response = client.post(reverse("payments:mark_paid", args=[batch.pk]), {"paid-confirm": "on"})
    assert response.status_code == 302
    assert state(app) == State.PAID
    app.refresh_from_db()
    envelope = Envelope.objects.get(pk=app.envelope_id)
    assert (envelope.committed_cents, envelope.disbursed_cents) == (140_000, 140_000)

    # An audit later finds the service was not delivered.
    act(client, app, "claw_back", reason="Contrôle : prestation non réalisée.")
    assert state(app) == State.CLAWED_BACK

    # Every step is in the timeline, with who and why.
    actions = list(AuditEvent.objects.for_object(app).values_list("action", flat=True))
    assert actions[:2] == ["create", "submit"] and actions[-2:] == ["mark_paid", "claw_back"]
    body = client.get(reverse("vouchers:detail", args=[app.pk])).content.decode()
    assert "Reversement exigé" in body and "Contrôle : prestation non réalisée." in body
