"""Whole voucher lives driven through the API only, as a partner system would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import api_for, new_file, ok
from tests.factories import (
    CompanyFactory,
    EnvelopeFactory,
    ProviderFactory,
    SchemeFactory,
    UserFactory,
    pdf_file,
)
from tremplin.schemes import budget
from tremplin.schemes.models import Envelope
from tremplin.vouchers.models import Application


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def provider(db):
    return ProviderFactory()


def test_a_voucher_goes_from_draft_to_payment_and_clawback(people, apis, scheme, company, provider):
    owner, advisor, manager = apis["owner"], apis["advisor"], apis["manager"]
    pk = new_file(owner, scheme, company, provider)
    assert ok(owner.get(f"/applications/{pk}/eligibility"))["eligible"] is True

    data = ok(owner.post(f"/applications/{pk}/submit"))
    assert data["state"] == "submitted"
    assert data["amount_cents"] == 200_000
    assert data["reserved_cents"] == 200_000
    assert data["waitlist_position"] is None
    assert all(rule["passed"] for rule in data["eligibility"])
    assert ok(advisor.get(f"/applications/{pk}"))["allowed_actions"] == ["start_review", "reject"]

    assert ok(advisor.post(f"/applications/{pk}/start-review"))["state"] == "under_review"
    data = ok(
        advisor.post(f"/applications/{pk}/request-info", json={"message": "Merci de joindre le devis signé."})
    )
    assert data["state"] == "info_requested"
    assert ok(owner.get(f"/applications/{pk}"))["allowed_actions"] == ["answer_info", "withdraw"]
    assert (
        ok(owner.post(f"/applications/{pk}/answer-info", json={"message": "Le voici."}))["state"]
        == "under_review"
    )
    data = ok(advisor.post(f"/applications/{pk}/approve", json={"note": "Complet."}))
    assert data["state"] == "approved"
    assert data["valid_until"] == str(timezone.localdate() + timedelta(days=scheme.validity_days))

    data = ok(
        owner.post(
            f"/applications/{pk}/claim",
            files={
                "invoice": pdf_file("facture.pdf"),
                "proof_of_payment": pdf_file("preuve.pdf"),
                "invoiced_spend_cents": "380000",
            },
        )
    )
    assert data["state"] == "claim_submitted"
    assert data["claim"]["invoiced_spend_cents"] == 380_000
    assert data["claim"]["payable_cents"] == 190_000
    assert ok(advisor.post(f"/applications/{pk}/start-claim-review"))["state"] == "claim_under_review"
    data = ok(advisor.post(f"/applications/{pk}/request-claim-info", json={"message": "Relevé bancaire ?"}))
    assert data["state"] == "claim_info_requested"
    data = ok(owner.post(f"/applications/{pk}/answer-claim-info", json={"message": "Joint au dossier."}))
    assert data["state"] == "claim_under_review"
    assert ok(advisor.post(f"/applications/{pk}/approve-claim"))["state"] == "claim_approved"

    batch = ok(manager.post(f"/schemes/{scheme.pk}/payment-batches"), 201)
    assert batch["total_cents"] == 190_000
    assert [line["application_id"] for line in batch["lines"]] == [pk]
    xml = manager.get(f"/payment-batches/{batch['id']}/sepa.xml")
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/xml"
    assert b'<InstdAmt Ccy="EUR">1900.00</InstdAmt>' in xml.content
    assert ok(manager.post(f"/payment-batches/{batch['id']}/mark-paid"))["state"] == "paid"
    data = ok(owner.get(f"/applications/{pk}"))
    assert data["state"] == "paid"
    envelope = Envelope.objects.get(scheme=scheme)
    assert (envelope.committed_cents, envelope.disbursed_cents) == (190_000, 190_000)

    data = ok(
        manager.post(f"/applications/{pk}/claw-back", json={"reason": "Contrôle : prestation non livrée."})
    )
    assert data["state"] == "clawed_back"
    envelope.refresh_from_db()
    assert (envelope.committed_cents, envelope.disbursed_cents) == (0, 0)
    assert budget.ledger_totals(envelope.pk) == {"committed_cents": 0, "disbursed_cents": 0}

    timeline = ok(apis["auditor"].get(f"/applications/{pk}"))["timeline"]
    moves = [(e["action"], e["to_state"]) for e in timeline if e["to_state"]]
    assert moves == [
        ("create", "draft"),
        ("submit", "submitted"),
        ("start_review", "under_review"),
        ("request_info", "info_requested"),
        ("answer_info", "under_review"),
        ("approve", "approved"),
        ("submit_claim", "claim_submitted"),
        ("start_claim_review", "claim_under_review"),
        ("request_claim_info", "claim_info_requested"),
        ("answer_claim_info", "claim_under_review"),
        ("approve_claim", "claim_approved"),
        ("mark_paid", "paid"),
        ("claw_back", "clawed_back"),
    ]
    assert timeline[-1]["reason"] == "Contrôle : prestation non livrée."
    assert timeline[-1]["actor_role"] == "manager"


def test_an_advisor_rejects_a_file_and_its_budget_is_released(apis, scheme, company, provider):
    pk = new_file(apis["owner"], scheme, company, provider)
    ok(apis["owner"].post(f"/applications/{pk}/submit"))
    ok(apis["advisor"].post(f"/applications/{pk}/start-review"))

    data = ok(
        apis["advisor"].post(
            f"/applications/{pk}/reject", json={"reason": "other", "text": "Le projet n'est pas numérique."}
        )
    )

    assert data["state"] == "rejected"
    assert data["reserved_cents"] == 0
    assert data["timeline"][-1]["reason"].endswith("Le projet n'est pas numérique.")
    assert Envelope.objects.get(scheme=scheme).committed_cents == 0
    assert ok(apis["owner"].get(f"/applications/{pk}"))["allowed_actions"] == []


def test_an_owner_withdraws_and_the_first_waitlisted_file_is_funded(db, company, provider):
    scheme = SchemeFactory()
    # Room for one voucher of 2,000 EUR only.
    EnvelopeFactory(scheme=scheme, total_cents=250_000)
    first, second = api_for(UserFactory()), api_for(UserFactory())
    third = api_for(UserFactory())
    funded = new_file(first, scheme, company, provider)
    waiting = new_file(second, scheme, CompanyFactory(), provider)
    last = new_file(third, scheme, CompanyFactory(), provider)
    ok(first.post(f"/applications/{funded}/submit"))

    data = ok(second.post(f"/applications/{waiting}/submit"))
    assert data["state"] == "waitlisted"
    assert data["reserved_cents"] == 0
    assert data["waitlist_position"] == 1
    assert ok(third.post(f"/applications/{last}/submit"))["waitlist_position"] == 2

    withdrawn = ok(first.post(f"/applications/{funded}/withdraw", json={"reason": "Projet reporté."}))
    assert withdrawn["state"] == "withdrawn"

    promoted = ok(second.get(f"/applications/{waiting}"))
    assert promoted["state"] == "submitted"
    assert promoted["reserved_cents"] == 200_000
    assert ok(third.get(f"/applications/{last}"))["waitlist_position"] == 1
    assert Envelope.objects.get(scheme=scheme).committed_cents == 200_000


def test_a_withdrawal_needs_no_body(apis, scheme, company, provider):
    pk = new_file(apis["owner"], scheme, company, provider)
    ok(apis["owner"].post(f"/applications/{pk}/submit"))

    assert ok(apis["owner"].post(f"/applications/{pk}/withdraw"))["state"] == "withdrawn"


def test_a_draft_is_not_withdrawn_through_the_api(apis, scheme, company, provider):
    pk = new_file(apis["owner"], scheme, company, provider)

    response = apis["owner"].post(f"/applications/{pk}/withdraw")
    assert response.status_code == 409 and response.json()["code"] == "draft_not_withdrawn"


def test_a_manager_expires_an_unclaimed_voucher_after_its_deadline(apis, scheme, company, provider):
    pk = new_file(apis["owner"], scheme, company, provider)
    ok(apis["owner"].post(f"/applications/{pk}/submit"))
    ok(apis["advisor"].post(f"/applications/{pk}/start-review"))
    ok(apis["advisor"].post(f"/applications/{pk}/approve"))

    early = apis["manager"].post(f"/applications/{pk}/expire")
    assert early.status_code == 409
    assert early.json()["code"] == "not_due"

    Application.objects.filter(pk=pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    data = ok(apis["manager"].post(f"/applications/{pk}/expire"))

    assert data["state"] == "expired"
    assert data["reserved_cents"] == 0
    assert Envelope.objects.get(scheme=scheme).committed_cents == 0
