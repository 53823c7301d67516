"""While the advisor asks for information, the owner sends a corrected quote with her answer: it
replaces the file's quote (and its amount), the budget follows, the advisor is told."""

import pytest
from django.urls import reverse

from tests.factories import pdf_bytes, pdf_file, stored_bytes
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.schemes.models import Envelope
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Message

pytestmark = pytest.mark.django_db

ASKED = "Le devis n'est pas signé : envoyez le devis signé."


@pytest.fixture
def info_requested(under_review, advisor):
    return services.request_info(advisor, under_review, ASKED)


def answer(client, application, **data):
    files = {k: v for k, v in data.items() if k in ("quote", "attachment")}
    fields = {f"answer_info-{k}": v for k, v in data.items() if k not in files}
    fields.update({f"answer_info-{k}": v for k, v in files.items()})
    return client.post(reverse("vouchers:act", args=[application.pk, "answer_info"]), fields)


def committed(application):
    return Envelope.objects.get(pk=application.envelope_id).committed_cents


def test_the_owner_sends_a_corrected_quote_with_her_answer(client_for, owner, advisor, info_requested, sent):
    client = client_for(owner)
    page = client.get(reverse("vouchers:detail", args=[info_requested.pk])).content.decode()
    assert "Devis corrigé" in page
    before = committed(info_requested)
    old_quote = Application.objects.get(pk=info_requested.pk).quote.name
    signed = pdf_bytes(title="devis-signe")

    emails = sent(
        answer,
        client,
        info_requested,
        message="Voici le devis signé, avec une ligne en moins.",
        quote=pdf_file("devis-signe.pdf", signed),
        planned_spend="3 000",
    )

    application = Application.objects.get(pk=info_requested.pk)
    assert application.state == "under_review"
    assert application.quote.name != old_quote and stored_bytes(application.quote) == signed
    assert application.planned_spend_cents == 300_000
    assert application.amount_cents == application.reserved_cents == 150_000
    assert committed(application) == before - 50_000  # the 500 EUR no longer needed go back
    event = AuditEvent.objects.filter(object_id=str(application.pk), action="answer_info").get()
    assert event.actor == owner
    assert event.data["quote_replaced"] is True
    assert event.data["planned_spend_cents"] == [400_000, 300_000]
    (email,) = [e for e in emails if e.to == [advisor.email]]
    assert "devis corrigé" in email.body and "3\u202f000 €" in email.body
    assert Message.objects.filter(application=application, author=owner).exists()


def test_a_corrected_quote_keeps_the_amount_when_none_is_given(owner, info_requested):
    before = Application.objects.get(pk=info_requested.pk)
    services.answer_info(owner, info_requested, "Devis signé.", quote=pdf_file("devis-signe.pdf"))
    after = Application.objects.get(pk=info_requested.pk)
    assert after.planned_spend_cents == before.planned_spend_cents
    assert after.reserved_cents == before.reserved_cents
    assert after.quote.name != before.quote.name


def test_a_higher_amount_is_reserved_when_the_budget_allows(owner, info_requested, scheme):
    scheme.cap_cents = 300_000
    scheme.save()
    services.answer_info(owner, info_requested, "Devis revu.", quote=pdf_file(), planned_spend_cents=500_000)
    application = Application.objects.get(pk=info_requested.pk)
    assert application.amount_cents == application.reserved_cents == 250_000


def test_a_higher_amount_the_budget_cannot_hold_changes_nothing(owner, info_requested, scheme):
    scheme.cap_cents = 300_000
    scheme.save()
    Envelope.objects.filter(pk=info_requested.envelope_id).update(total_cents=200_000)
    with pytest.raises(Conflict) as refused:
        services.answer_info(
            owner, info_requested, "Devis revu.", quote=pdf_file(), planned_spend_cents=500_000
        )
    assert refused.value.code == "budget_exhausted"
    application = Application.objects.get(pk=info_requested.pk)
    assert application.state == "info_requested" and application.planned_spend_cents == 400_000


def test_an_amount_without_the_quote_that_carries_it_is_refused(owner, info_requested):
    with pytest.raises(ServiceError) as refused:
        services.answer_info(owner, info_requested, "Le montant change.", planned_spend_cents=300_000)
    assert refused.value.field == "quote"
    assert Application.objects.get(pk=info_requested.pk).state == "info_requested"


def test_a_corrected_quote_that_is_not_a_pdf_is_refused_on_the_page(client_for, owner, info_requested):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Application.objects.get(pk=info_requested.pk).quote.name
    response = answer(
        client_for(owner),
        info_requested,
        message="Voici.",
        quote=SimpleUploadedFile("devis.pdf", b"not a pdf", content_type="application/pdf"),
    )
    assert "Le fichier « devis.pdf » n&#x27;est pas un PDF." in response.content.decode()
    application = Application.objects.get(pk=info_requested.pk)
    assert application.state == "info_requested" and application.quote.name == before


def test_nobody_else_sends_a_corrected_quote(client_for, other_owner, advisor, info_requested):
    for user in (other_owner, advisor):
        response = answer(client_for(user), info_requested, message="Voici.", quote=pdf_file())
        assert response.status_code in (403, 404)
    assert Application.objects.get(pk=info_requested.pk).state == "info_requested"
