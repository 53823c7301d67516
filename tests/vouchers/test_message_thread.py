"""The message thread between the owner and the advisor: several checked attachments per message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import image_bytes, pdf_file
from tremplin.core.errors import ServiceError
from tremplin.core.models import AuditEvent
from tremplin.core.validators import MAX_ATTACHMENTS, clean_attachments
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Message, MessageAttachment, State

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def upload(name, body, content_type="application/pdf"):
    return SimpleUploadedFile(name, body, content_type=content_type)


# --- validation -----------------------------------------------------------------------------------


def test_pdf_png_and_jpeg_are_recognised_by_their_content():
    files = [
        pdf_file("devis.pdf"),
        upload("photo.png", PNG, "image/png"),
        upload("scan.jpg", JPEG, "image/jpeg"),
    ]
    assert [kind for _, kind in clean_attachments(files)] == ["application/pdf", "image/png", "image/jpeg"]


def test_a_file_disguised_as_a_pdf_is_refused_by_name():
    with pytest.raises(ServiceError) as error:
        clean_attachments([pdf_file("devis.pdf"), upload("facture.pdf", b"MZ\x90\x00 not a pdf")])
    assert error.value.code == "unsupported_file"
    assert "« facture.pdf »" in str(error.value.message)
    assert "PDF, PNG ou JPEG" in str(error.value.message)


def test_a_file_over_10_mb_is_refused_by_name():
    big = upload("gros.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ServiceError) as error:
        clean_attachments([big])
    assert error.value.code == "file_too_large"
    assert "« gros.pdf »" in str(error.value.message) and "10 Mo" in str(error.value.message)


def test_more_than_five_files_are_refused():
    with pytest.raises(ServiceError) as error:
        clean_attachments([pdf_file(f"piece-{n}.pdf") for n in range(MAX_ATTACHMENTS + 1)])
    assert error.value.code == "too_many_files"
    assert "5 fichiers au plus" in str(error.value.message)


# --- service --------------------------------------------------------------------------------------


def test_the_owner_answers_with_several_files_through_the_workflow(under_review, advisor, sent):
    services.post_message(advisor, under_review, "Envoyez le devis signé et une photo.")
    owner = under_review.owner
    emails = sent(
        services.post_message,
        owner,
        under_review,
        "Les voici.",
        [pdf_file("devis-signe.pdf"), upload("vitrine.png", PNG, "image/png")],
    )
    under_review.refresh_from_db()
    assert under_review.state == State.UNDER_REVIEW
    message = Message.objects.filter(application=under_review).last()
    assert message.author == owner and message.body == "Les voici."
    got = [(a.original_name, a.content_type, a.size) for a in message.attachments.all()]
    assert got == [
        ("devis-signe.pdf", "application/pdf", len(pdf_file().read())),
        ("vitrine.png", "image/png", len(PNG)),
    ]
    assert AuditEvent.objects.filter(action="answer_info", object_id=str(under_review.pk)).exists()
    assert advisor.email in [address for email in emails for address in email.to]


def test_the_advisor_may_attach_files_to_a_question(under_review, advisor):
    services.post_message(advisor, under_review, "Voici le modèle à remplir.", [pdf_file("modele.pdf")])
    under_review.refresh_from_db()
    assert under_review.state == State.INFO_REQUESTED
    assert MessageAttachment.objects.get().original_name == "modele.pdf"


def test_a_refused_file_saves_no_message_and_no_file(under_review, advisor, settings):
    services.post_message(advisor, under_review, "Envoyez le devis signé.")
    before = Message.objects.count()
    with pytest.raises(ServiceError):
        services.post_message(
            under_review.owner,
            under_review,
            "Les voici.",
            [pdf_file("bon.pdf"), upload("faux.pdf", b"<html>not a pdf</html>")],
        )
    assert Message.objects.count() == before
    assert MessageAttachment.objects.count() == 0
    assert not list((settings.MEDIA_ROOT / "messages").rglob("*"))
    under_review.refresh_from_db()
    assert under_review.state == State.INFO_REQUESTED


def test_six_files_save_nothing(under_review, advisor):
    with pytest.raises(ServiceError):
        services.post_message(advisor, under_review, "Modèles", [pdf_file(f"m{n}.pdf") for n in range(6)])
    assert Message.objects.count() == 0
    under_review.refresh_from_db()
    assert under_review.state == State.UNDER_REVIEW


def test_no_message_where_the_file_opens_no_exchange(submitted, advisor):
    with pytest.raises(ServiceError) as error:
        services.post_message(submitted.owner, submitted, "Bonjour")
    assert error.value.status == 409
    assert Message.objects.count() == 0


# --- pages ----------------------------------------------------------------------------------------


def post_answer(client, app, files, message="Les voici."):
    return client.post(
        reverse("vouchers:act", args=[app.pk, "answer_info"]),
        {"answer_info-message": message, "answer_info-attachments": files},
    )


def test_the_answer_form_takes_several_files_and_both_pages_show_the_thread(
    client_for, under_review, advisor
):
    services.post_message(advisor, under_review, "Envoyez le devis signé.")
    owner = client_for(under_review.owner)
    form = owner.get(reverse("vouchers:detail", args=[under_review.pk])).content.decode()
    assert 'type="file"' in form and "multiple" in form
    response = post_answer(
        owner, under_review, [pdf_file("devis-signe.pdf"), upload("vitrine.png", PNG, "image/png")]
    )
    assert response.status_code == 302
    for client in (owner, client_for(advisor)):
        body = client.get(reverse("vouchers:detail", args=[under_review.pk])).content.decode()
        assert body.index("Envoyez le devis signé.") < body.index("Les voici.")
        assert "devis-signe.pdf" in body and "vitrine.png" in body
        for attachment in MessageAttachment.objects.all():
            assert (
                reverse("vouchers:attachment", args=[under_review.pk, attachment.message_id, attachment.pk])
                in body
            )


def test_a_refused_file_is_named_on_the_form(client_for, under_review, advisor):
    services.post_message(advisor, under_review, "Envoyez le devis signé.")
    owner = client_for(under_review.owner)
    response = post_answer(owner, under_review, [upload("devis.pdf", b"GIF89a nope")])
    assert response.status_code == 200
    assert "« devis.pdf »" in response.content.decode()
    assert Message.objects.count() == 1


def test_a_refused_file_is_named_in_english_on_an_english_page():
    from django.utils import translation

    from tremplin.vouchers.forms import AnswerForm

    with pytest.raises(ServiceError) as error:
        clean_attachments([upload("devis.pdf", b"GIF89a nope")])
    form = AnswerForm(data={"message": "Voici"})
    form.is_valid()
    with translation.override("en"):
        form.add_service_error(error.value)
    assert form.errors["attachments"] == [
        "The file “devis.pdf” is neither a PDF nor a PNG or JPEG image: save it in one of these formats "
        "(PDF, PNG or JPEG), then attach it again."
    ]


def test_the_chosen_provider_sees_neither_the_messages_nor_their_files(
    client_for, under_review, advisor, provider_member
):
    """The exchange is between the owner and the programme: it may carry bank statements or payslips,
    which are never the provider's (docs/privacy.md)."""
    Application.objects.filter(pk=under_review.pk).update(provider=provider_member.provider)
    services.post_message(advisor, under_review, "Joignez le relevé bancaire.")
    post_answer(client_for(under_review.owner), under_review, [pdf_file("releve.pdf")])
    provider = client_for(provider_member)
    body = provider.get(reverse("vouchers:detail", args=[under_review.pk])).content.decode()
    assert under_review.reference in body  # the provider still reads its file
    assert "Joignez le relevé bancaire." not in body and "releve.pdf" not in body
    (attachment,) = MessageAttachment.objects.all()
    url = reverse("vouchers:attachment", args=[under_review.pk, attachment.message_id, attachment.pk])
    assert provider.get(url).status_code == 404
    served = client_for(advisor).get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF-")
