"""The file page, its actions for each role, the advisor's queue and the documents."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicationFactory, SchemeFactory, pdf_file
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, Claim, State

pytestmark = pytest.mark.django_db


def act(client, app, action, data=None, prefix=True):
    data = data or {}
    if prefix:
        data = {f"{action}-{key}": value for key, value in data.items()}
    return client.post(reverse("vouchers:act", args=[app.pk, action]), data)


def state_of(app):
    return Application.objects.values_list("state", flat=True).get(pk=app.pk)


# --- file page ------------------------------------------------------------------------------------


def test_file_page_shows_summary_timeline_and_owner_actions(as_user, submitted):
    response = as_user(submitted.owner).get(reverse("vouchers:detail", args=[submitted.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Résumé" in body and "Historique" in body
    assert "Demande déposée" in body and "Brouillon → Déposée" in body
    assert "Retirer ma demande" in body
    assert "Je prends ce dossier" not in body
    assert "Éligibilité vérifiée au dépôt" in body


def test_file_page_is_visible_to_the_territory_advisor_managers_and_auditors(
    as_user, submitted, advisor, manager, auditor
):
    url = reverse("vouchers:detail", args=[submitted.pk])
    for user in (advisor, manager, auditor):
        assert as_user(user).get(url).status_code == 200
    assert "Je prends ce dossier" in as_user(advisor).get(url).content.decode()
    assert "Je prends ce dossier" not in as_user(auditor).get(url).content.decode()


def test_file_page_is_not_found_for_others(as_user, submitted, stranger, other_advisor):
    url = reverse("vouchers:detail", args=[submitted.pk])
    for user in (stranger, other_advisor):
        assert as_user(user).get(url).status_code == 404


def test_advisors_never_see_drafts(as_user, draft, advisor):
    assert as_user(advisor).get(reverse("vouchers:detail", args=[draft.pk])).status_code == 404


# --- actions: allowed and refused ---------------------------------------------------------------


def test_advisor_starts_the_review_and_others_cannot(
    as_user, submitted, advisor, manager, auditor, other_advisor
):
    assert act(as_user(submitted.owner), submitted, "start_review").status_code == 403
    assert act(as_user(manager), submitted, "start_review").status_code == 403
    assert act(as_user(auditor), submitted, "start_review").status_code == 403
    assert act(as_user(other_advisor), submitted, "start_review").status_code == 404
    assert state_of(submitted) == State.SUBMITTED
    response = act(as_user(advisor), submitted, "start_review")
    assert response.status_code == 302
    assert state_of(submitted) == State.UNDER_REVIEW


def test_actions_need_post(as_user, submitted, advisor):
    response = as_user(advisor).get(reverse("vouchers:act", args=[submitted.pk, "start_review"]))
    assert response.status_code == 405


def test_an_unknown_action_is_not_found(as_user, submitted, advisor):
    assert act(as_user(advisor), submitted, "mark_paid").status_code == 404


def test_an_action_from_the_wrong_state_is_refused_with_its_reason(as_user, submitted, advisor):
    response = act(as_user(advisor), submitted, "approve")
    assert response.status_code == 409
    assert "Cette action n&#x27;est pas possible : le dossier est « Déposée »." in response.content.decode()
    assert state_of(submitted) == State.SUBMITTED


def test_request_info_needs_a_message(as_user, under_review, advisor):
    response = act(as_user(advisor), under_review, "request_info", {"message": "  "})
    assert response.status_code == 200
    assert "Précisez les informations ou pièces attendues." in response.content.decode()
    assert state_of(under_review) == State.UNDER_REVIEW


def test_request_info_and_answer_with_an_attachment(as_user, under_review, advisor):
    response = act(as_user(advisor), under_review, "request_info", {"message": "Envoyez le devis signé."})
    assert response.status_code == 302
    assert state_of(under_review) == State.INFO_REQUESTED
    owner = as_user(under_review.owner)
    assert act(owner, under_review, "approve").status_code == 403
    response = act(
        owner, under_review, "answer_info", {"message": "Le voici.", "attachments": pdf_file("signe.pdf")}
    )
    assert response.status_code == 302
    assert state_of(under_review) == State.UNDER_REVIEW
    attachment = under_review.messages.last().attachments.get()
    body = owner.get(reverse("vouchers:detail", args=[under_review.pk])).content.decode()
    assert "Envoyez le devis signé." in body and "Le voici." in body
    download = owner.get(
        reverse("vouchers:attachment", args=[under_review.pk, attachment.message_id, attachment.pk])
    )
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_an_answer_with_a_file_that_is_not_a_pdf_is_refused(as_user, under_review, advisor):
    services.request_info(advisor, under_review, "Envoyez le devis signé.")
    fake = pdf_file("devis.pdf", b"pas un pdf")
    response = act(
        as_user(under_review.owner), under_review, "answer_info", {"message": "Voici", "attachments": fake}
    )
    assert response.status_code == 200
    assert "n&#x27;est ni un PDF" in response.content.decode()
    assert state_of(under_review) == State.INFO_REQUESTED


def test_reject_with_a_preset_reason(as_user, under_review, advisor):
    response = act(
        as_user(advisor), under_review, "reject", {"reason": "quote_invalid", "text": "Devis non daté."}
    )
    assert response.status_code == 302
    assert state_of(under_review) == State.REJECTED
    body = (
        as_user(under_review.owner).get(reverse("vouchers:detail", args=[under_review.pk])).content.decode()
    )
    assert "Le devis est incomplet ou ne correspond pas au projet – Devis non daté." in body


def test_reject_with_other_reason_needs_an_explanation(as_user, under_review, advisor):
    response = act(as_user(advisor), under_review, "reject", {"reason": "other", "text": ""})
    assert response.status_code == 200
    assert "Précisez le motif du refus." in response.content.decode()
    assert state_of(under_review) == State.UNDER_REVIEW


def test_owner_withdraws_after_confirming(as_user, submitted, advisor):
    client = as_user(submitted.owner)
    response = act(client, submitted, "withdraw", {})
    assert response.status_code == 200
    assert "Cochez la case pour confirmer le retrait." in response.content.decode()
    assert state_of(submitted) == State.SUBMITTED
    assert act(as_user(advisor), submitted, "withdraw", {"confirm": "on"}).status_code == 403
    response = act(
        as_user(submitted.owner), submitted, "withdraw", {"confirm": "on", "reason": "Projet abandonné"}
    )
    assert response.status_code == 302
    assert state_of(submitted) == State.WITHDRAWN


def claim_data(**overrides):
    data = {
        "invoice": pdf_file("facture.pdf"),
        "proof_of_payment": pdf_file("releve.pdf"),
        "invoiced_spend": "4 000",
    }
    data.update(overrides)
    return data


def test_a_claim_above_the_voucher_is_refused(as_user, approved):
    response = act(as_user(approved.owner), approved, "submit_claim", claim_data(invoiced_spend="5 000"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "dépasse le devis sur lequel le chèque a été accordé" in body
    assert (
        'aria-describedby="id_submit_claim-invoiced_spend-desc-error id_submit_claim-invoiced_spend_helptext"'
        in body
    )
    assert state_of(approved) == State.APPROVED and not Claim.objects.exists()


def test_a_claim_with_a_zero_amount_is_refused(as_user, approved):
    response = act(as_user(approved.owner), approved, "submit_claim", claim_data(invoiced_spend="0"))
    assert "Le montant doit être supérieur à zéro." in response.content.decode()
    assert not Claim.objects.exists()


def test_a_claim_on_an_expired_voucher_is_refused(as_user, approved):
    Application.objects.filter(pk=approved.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    response = act(as_user(approved.owner), approved, "submit_claim", claim_data())
    assert response.status_code == 409
    assert "Votre chèque a expiré le" in response.content.decode()
    assert not Claim.objects.exists()


def test_only_the_owner_may_claim(as_user, approved, advisor, manager):
    for user in (advisor, manager):
        assert act(as_user(user), approved, "submit_claim", claim_data()).status_code == 403
    assert not Claim.objects.exists()


def test_manager_expires_a_voucher_past_its_deadline(as_user, approved, manager, advisor):
    client = as_user(manager)
    response = act(client, approved, "expire", {"confirm": "on"})
    assert response.status_code == 409
    assert "Ce chèque est encore valable." in response.content.decode()
    Application.objects.filter(pk=approved.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert act(as_user(advisor), approved, "expire", {"confirm": "on"}).status_code == 403
    assert act(as_user(manager), approved, "expire", {"confirm": "on"}).status_code == 302
    assert state_of(approved) == State.EXPIRED


# --- advisor queue --------------------------------------------------------------------------------


def test_queue_lists_files_of_my_territory_with_their_age(as_user, submitted, advisor):
    Application.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - timedelta(days=20))
    response = as_user(advisor).get(reverse("vouchers:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert submitted.reference in body
    assert "déposé il y a 20 jours" in body
    assert "Délai de 15 jours dépassé" in body


def test_queue_hides_other_territories_and_closed_files(as_user, submitted, other_advisor, scheme, advisor):
    assert submitted.reference not in as_user(other_advisor).get(reverse("vouchers:queue")).content.decode()
    rejected = ApplicationFactory(scheme=scheme)
    services.submit(rejected.owner, rejected)
    services.reject(advisor, rejected, "not_eligible")
    assert rejected.reference not in as_user(advisor).get(reverse("vouchers:queue")).content.decode()


def test_queue_filters_by_state(as_user, submitted, under_review, advisor):
    body = as_user(advisor).get(reverse("vouchers:queue"), {"state": "submitted"}).content.decode()
    assert submitted.reference not in body  # it moved on to review
    body = as_user(advisor).get(reverse("vouchers:queue"), {"state": "under_review"}).content.decode()
    assert under_review.reference in body


def test_queue_is_for_advisors_only(as_user, owner, manager, auditor):
    for user in (owner, manager, auditor):
        assert as_user(user).get(reverse("vouchers:queue")).status_code == 403


def test_queue_query_count_is_pinned(as_user, scheme, advisor, django_assert_num_queries):
    def submit_some(n):
        for _ in range(n):
            app = ApplicationFactory(scheme=scheme)
            services.submit(app.owner, app)

    submit_some(2)
    client = as_user(advisor)
    with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
        client.get(reverse("vouchers:queue"))
    submit_some(6)
    with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
        response = client.get(reverse("vouchers:queue"))
    assert response.content.decode().count("Je prends") == 0
    assert "8 dossiers à traiter" in response.content.decode()


# --- documents ------------------------------------------------------------------------------------


def test_quote_downloads_only_for_people_who_can_see_the_file(
    as_user, submitted, advisor, stranger, other_advisor
):
    url = reverse("vouchers:document", args=[submitted.pk, "devis"])
    for user in (submitted.owner, advisor):
        response = as_user(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("inline")
    for user in (stranger, other_advisor):
        assert as_user(user).get(url).status_code == 404


def test_a_document_not_yet_uploaded_is_not_found(as_user, submitted):
    assert (
        as_user(submitted.owner).get(reverse("vouchers:document", args=[submitted.pk, "facture"])).status_code
        == 404
    )


def test_the_decision_letter_exists_once_the_voucher_is_granted(as_user, submitted, advisor):
    url = reverse("vouchers:letter", args=[submitted.pk])
    assert as_user(submitted.owner).get(url).status_code == 404
    services.approve(advisor, services.start_review(advisor, submitted))
    response = as_user(submitted.owner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_decision_letter_is_not_found_for_others(as_user, approved, stranger, other_advisor):
    url = reverse("vouchers:letter", args=[approved.pk])
    for user in (stranger, other_advisor):
        assert as_user(user).get(url).status_code == 404


# --- scheme page and lottery ----------------------------------------------------------------------


def test_manager_draws_the_lottery_once_the_window_is_closed(as_user, manager, auditor, owner):
    from tests.factories import EnvelopeFactory
    from tremplin.schemes.models import Scheme

    scheme = SchemeFactory(allocation=Scheme.Allocation.LOTTERY)
    EnvelopeFactory(scheme=scheme)
    app = ApplicationFactory(scheme=scheme)
    services.submit(app.owner, app)
    Scheme.objects.filter(pk=scheme.pk).update(window_closes_at=timezone.now() - timedelta(hours=1))
    url = reverse("vouchers:scheme", args=[scheme.slug])
    assert as_user(owner).get(url).status_code == 403
    assert "Lancer le tirage" not in as_user(auditor).get(url).content.decode()
    assert as_user(auditor).post(url, {"draw-seed": "graine"}).status_code == 403
    client = as_user(manager)
    assert "Lancer le tirage" in client.get(url).content.decode()
    response = client.post(url, {"draw-seed": "graine-publiee-2026"})
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.lottery_seed == "graine-publiee-2026" and scheme.lottery_drawn_at
    response = client.post(url, {"draw-seed": "autre"})
    assert response.status_code == 409
    assert "Le tirage de ce dispositif a déjà eu lieu." in response.content.decode()


def test_the_owner_sees_the_payment_claim_first_and_withdrawing_last(as_user, approved):
    """The next step of an approved voucher comes first; withdrawing, which ends the file, comes last."""
    page = as_user(approved.owner).get(reverse("vouchers:detail", args=[approved.pk])).content.decode()
    titles = ["Demander le paiement du chèque", "Changer de compte bancaire", "Retirer ma demande"]
    positions = [page.index(f">{title}</h3>") for title in titles]
    assert positions == sorted(positions), dict(zip(titles, positions, strict=True))
