"""Who applies for a company and whose account is paid, through the API (issue 9's acceptance).

Nothing is reserved before the applicant's right to act is established; a mandate lets its holder act
until it is revoked; the company's representative contests a file someone else opened; an account not
in the company's name is paid only once an advisor confirmed it; a provider never applies for its
client; a company gets no more vouchers than the scheme allows.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.api.conftest import (
    api_for,
    bring_to,
    declare,
    declare_as_director,
    new_file,
    ok,
    state_of,
)
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    UserFactory,
    pdf_file,
    register_account,
)
from tremplin.authority.models import Mandate, Representation
from tremplin.authority.services import CHECKLIST
from tremplin.core.models import AuditEvent
from tremplin.schemes import budget
from tremplin.schemes.models import EligibilityRule, Envelope
from tremplin.vouchers.models import Application

ALL_CHECKED = [key for key, _label in CHECKLIST]


@pytest.fixture
def provider(provider_member):
    return provider_member.provider


def committed(scheme):
    return Envelope.objects.get(scheme=scheme).committed_cents


def moves(pk):
    events = AuditEvent.objects.for_object(Application(pk=pk)).values_list("action", "from_state", "to_state")
    return [event for event in events if event[2]]


def assert_ledger_matches(scheme):
    envelope = Envelope.objects.get(scheme=scheme)
    assert budget.ledger_totals(envelope.pk) == {
        "committed_cents": envelope.committed_cents,
        "disbursed_cents": envelope.disbursed_cents,
    }


def send_documents(api, representation_id, issued_days_ago=10):
    return api.post(
        f"/authority/representations/{representation_id}/documents",
        files={
            "register_extract": pdf_file("extrait-rne.pdf"),
            "extract_issued_on": (timezone.localdate() - timedelta(days=issued_days_ago)).isoformat(),
            "statement": pdf_file("attestation.pdf"),
        },
    )


def held_file(apis, scheme, company, provider):
    """The owner is not in the register: she sends the documents and submits; the file is held."""
    owner = apis["owner"]
    rep = ok(declare(owner, company))
    pk = new_file(owner, scheme, company, provider, director=False)
    ok(send_documents(owner, rep["id"]))
    data = ok(owner.post(f"/applications/{pk}/submit"))
    assert data["state"] == "authority_check"
    return pk


# --- an applicant the register does not list ------------------------------------------------------


def test_an_owner_the_register_does_not_list_cannot_submit_without_documents(apis, scheme, company, provider):
    owner = apis["owner"]
    pk = new_file(owner, scheme, company, provider, director=False)

    undeclared = owner.post(f"/applications/{pk}/submit")
    assert undeclared.status_code == 409
    assert (undeclared.json()["code"], undeclared.json()["field"]) == ("authority_missing", "capacity")

    rep = ok(declare(owner, company))
    assert (rep["status"], rep["basis"], rep["has_documents"]) == ("pending", "", False)
    refused = owner.post(f"/applications/{pk}/submit")

    assert refused.status_code == 409
    assert refused.json()["code"] == "authority_documents_missing"
    assert "extrait du registre" in refused.json()["message"]
    assert state_of(Application(pk=pk)) == "draft"
    assert Application.objects.get(pk=pk).reserved_cents == 0
    assert committed(scheme) == 0
    assert ("submit", "draft", "authority_check") not in moves(pk)


def test_with_documents_the_file_is_held_before_anything_is_reserved(apis, scheme, company, provider):
    other = new_file(apis["other_owner"], scheme, CompanyFactory(), provider)
    ok(apis["other_owner"].post(f"/applications/{other}/submit"))
    before = committed(scheme)
    owner = apis["owner"]
    rep = ok(declare(owner, company))
    pk = new_file(owner, scheme, company, provider, director=False)

    data = ok(send_documents(owner, rep["id"]))
    assert data["has_documents"] is True
    assert data["status"] == "pending"
    data = ok(owner.post(f"/applications/{pk}/submit"))

    assert data["state"] == "authority_check"
    assert data["reserved_cents"] == 0
    assert data["queue_rank"] == 2  # its place in the receipt order is kept
    assert data["authority"]["status"] == "pending"
    assert data["authority"]["outcome"] == "En attente de vérification"
    assert committed(scheme) == before
    assert moves(pk)[-1] == ("submit", "draft", "authority_check")
    assert ok(apis["advisor"].get(f"/applications/{pk}"))["allowed_actions"] == [
        "confirm_authority",
        "refuse_authority",
    ]
    assert_ledger_matches(scheme)


def test_an_extract_older_than_three_months_is_refused(apis, company):
    rep = ok(declare(apis["owner"], company))

    response = send_documents(apis["owner"], rep["id"], issued_days_ago=120)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("extract_too_old", "extract_issued_on")
    assert not Representation.objects.get(pk=rep["id"]).has_documents


@pytest.mark.parametrize("no_date", ["", "null"])
def test_a_statement_alone_may_come_with_an_empty_date(apis, company, no_date):
    """Multipart has no null: a client echoing the representation's `"extract_issued_on": null` sends the
    text "null", which means no date, as an empty field does."""
    rep = ok(declare(apis["owner"], company))

    response = apis["owner"].post(
        f"/authority/representations/{rep['id']}/documents",
        files={"statement": pdf_file("attestation.pdf"), "extract_issued_on": no_date},
    )

    data = ok(response)
    assert data["extract_issued_on"] is None
    assert Representation.objects.get(pk=rep["id"]).statement


def test_a_date_that_is_not_one_is_refused_and_changes_nothing(apis, company):
    rep = ok(declare(apis["owner"], company))

    response = apis["owner"].post(
        f"/authority/representations/{rep['id']}/documents",
        files={"statement": pdf_file("attestation.pdf"), "extract_issued_on": "2026-13-45"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["loc"] == ["form", "extract_issued_on"]
    assert not Representation.objects.get(pk=rep["id"]).statement


def test_nobody_else_reads_or_completes_someone_s_declaration(apis, company):
    rep = ok(declare(apis["owner"], company))

    assert apis["other_owner"].get("/authority/representations").json() == []
    assert send_documents(apis["other_owner"], rep["id"]).status_code == 404
    assert [r["id"] for r in ok(apis["owner"].get("/authority/representations"))] == [rep["id"]]
    assert not Representation.objects.get(pk=rep["id"]).has_documents


def test_an_advisor_confirms_the_documents_with_the_whole_checklist(apis, scheme, company, provider):
    pk = held_file(apis, scheme, company, provider)
    advisor = apis["advisor"]

    partial = advisor.post(f"/applications/{pk}/confirm-authority", json={"checklist": ALL_CHECKED[:-1]})

    assert partial.status_code == 400
    assert (partial.json()["code"], partial.json()["field"]) == ("checklist_incomplete", "checklist")
    assert state_of(Application(pk=pk)) == "authority_check"
    assert committed(scheme) == 0
    assert Representation.objects.get(user=apis["owner"].user).status == "pending"

    data = ok(advisor.post(f"/applications/{pk}/confirm-authority", json={"checklist": ALL_CHECKED}))

    assert data["state"] == "submitted"
    assert data["reserved_cents"] == data["amount_cents"] == 200_000
    assert committed(scheme) == 200_000
    assert (data["authority"]["status"], data["authority"]["basis"]) == ("verified", "advisor")
    assert data["authority"]["outcome"] == "Confirmée par un conseiller sur pièces"
    assert data["authority"]["checklist"] == ALL_CHECKED
    assert moves(pk)[-1] == ("confirm_authority", "authority_check", "submitted")
    rep = Representation.objects.get(user=apis["owner"].user)
    assert AuditEvent.objects.for_object(rep).filter(action="confirm", actor=advisor.user).exists()
    assert_ledger_matches(scheme)


def test_an_unknown_checklist_point_is_refused_by_the_schema(apis, scheme, company, provider):
    pk = held_file(apis, scheme, company, provider)

    response = apis["advisor"].post(f"/applications/{pk}/confirm-authority", json={"checklist": ["trust_me"]})

    assert response.status_code == 422
    assert state_of(Application(pk=pk)) == "authority_check"


def test_an_advisor_refuses_documents_that_do_not_show_the_right_to_act(apis, scheme, company, provider):
    pk = held_file(apis, scheme, company, provider)

    data = ok(
        apis["advisor"].post(
            f"/applications/{pk}/refuse-authority", json={"note": "L'extrait ne vous mentionne pas."}
        )
    )

    assert data["state"] == "rejected"
    assert data["reserved_cents"] == 0
    assert committed(scheme) == 0
    assert Representation.objects.get(user=apis["owner"].user).status == "refused"
    assert data["timeline"][-1]["reason"] == "L'extrait ne vous mentionne pas."


# --- mandates -------------------------------------------------------------------------------------


@pytest.fixture
def accountant(db):
    return UserFactory(email="paul.girard@cabinet-girard.example.fr", first_name="Paul", last_name="Girard")


def give(director_api, company, email, **extra):
    return director_api.post(
        "/authority/mandates",
        json={
            "siren": company.siren,
            "holder_email": email,
            "holder_name": "Paul Girard",
            "kind": "accountant",
            **extra,
        },
    )


def test_a_mandate_lets_its_holder_apply_and_its_revocation_stops_them(
    apis, scheme, company, provider, accountant, django_capture_on_commit_callbacks
):
    director, holder = apis["owner"], api_for(accountant)
    declare_as_director(director, company)

    with django_capture_on_commit_callbacks(execute=True):
        mandate = ok(give(director, company, accountant.email), 201)
    assert (mandate["active"], mandate["grantor_name"]) == (True, "Camille Martin")
    assert mail.outbox[-1].to == [accountant.email]
    rep = ok(declare(holder, company, capacity="mandate_holder"))
    assert (rep["status"], rep["basis"], rep["mandate"]["id"]) == ("verified", "mandate", mandate["id"])
    assert rep["outcome"] == "Mandat donné par un représentant légal"
    pk = new_file(holder, scheme, company, provider, director=False)
    data = ok(holder.post(f"/applications/{pk}/submit"))
    assert (data["state"], data["reserved_cents"]) == ("submitted", 200_000)

    # Each sees the mandate from their side; nobody else sees it.
    assert [m["id"] for m in ok(director.get("/authority/mandates"))["given"]] == [mandate["id"]]
    assert [m["id"] for m in ok(holder.get("/authority/mandates"))["held"]] == [mandate["id"]]
    assert ok(holder.get("/authority/mandates"))["given"] == []
    for role in ("other_owner", "advisor", "manager", "auditor"):
        assert ok(apis[role].get("/authority/mandates")) == {"given": [], "held": []}, role
        assert apis[role].post(f"/authority/mandates/{mandate['id']}/revoke").status_code == 404, role
    refused = holder.post(f"/authority/mandates/{mandate['id']}/revoke")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_representative")

    revoked = ok(director.post(f"/authority/mandates/{mandate['id']}/revoke"))

    assert revoked["active"] is False
    assert revoked["revoked_at"] is not None
    assert Representation.objects.get(user=accountant).status == "revoked"
    data = ok(holder.get(f"/applications/{pk}"))
    assert data["allowed_actions"] == []
    withdraw = holder.post(f"/applications/{pk}/withdraw", json={"reason": "Je retire."})
    assert withdraw.status_code == 403
    assert state_of(Application(pk=pk)) == "submitted"
    # Declaring again does not bring the right back.
    assert ok(declare(holder, company, capacity="mandate_holder"))["status"] == "revoked"
    again = director.post(f"/authority/mandates/{mandate['id']}/revoke")
    assert (again.status_code, again.json()["code"]) == (409, "already_revoked")


def test_a_revoked_holder_cannot_submit_the_draft_they_prepared(apis, scheme, company, provider, accountant):
    director, holder = apis["owner"], api_for(accountant)
    declare_as_director(director, company)
    mandate = ok(give(director, company, accountant.email), 201)
    ok(declare(holder, company, capacity="mandate_holder"))
    pk = new_file(holder, scheme, company, provider, director=False)

    ok(director.post(f"/authority/mandates/{mandate['id']}/revoke"))
    response = holder.post(f"/applications/{pk}/submit")

    assert response.status_code == 403
    assert state_of(Application(pk=pk)) == "draft"
    assert committed(scheme) == 0


def test_a_mandate_is_given_by_a_verified_representative_only(apis, company, accountant):
    ok(declare(apis["owner"], company))  # pending: not in the register

    response = give(apis["owner"], company, accountant.email)

    assert (response.status_code, response.json()["code"]) == (403, "not_a_representative")
    assert Mandate.objects.count() == 0


@pytest.mark.parametrize(
    ("email", "code"),
    [("pas-une-adresse", "invalid_email"), ("lea.moreau@agence-lumiere.example.fr", "provider_for_client")],
    ids=["malformed", "a-provider"],
)
def test_a_mandate_to_a_bad_address_or_a_provider_is_refused(apis, company, provider_member, email, code):
    declare_as_director(apis["owner"], company)

    response = give(apis["owner"], company, email)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        code,
        "holder_email",
    )
    assert Mandate.objects.count() == 0


# --- contest --------------------------------------------------------------------------------------


@pytest.fixture
def director(db):
    """The company's real director, in the register; the owner opened a file without being one."""
    return api_for(UserFactory(email="jeanne.lefevre@example.fr", first_name="Jeanne", last_name="Lefèvre"))


def funded_impostor_file(apis, scheme, company, provider):
    """An owner not in the register gets her documents confirmed (forged, say): the amount is reserved."""
    pk = held_file(apis, scheme, company, provider)
    ok(apis["advisor"].post(f"/applications/{pk}/confirm-authority", json={"checklist": ALL_CHECKED}))
    assert committed(scheme) == 200_000
    return pk


def contest(api, company, reason="Je suis la gérante et je n'ai jamais fait cette demande."):
    return api.post("/applications/contest", json={"siren": company.siren, "reason": reason})


def test_the_representative_contests_and_applies_while_the_reservation_is_kept(
    apis, scheme, company, provider, director
):
    pk = funded_impostor_file(apis, scheme, company, provider)
    declare_as_director(director, company)
    reference = Application.objects.get(pk=pk).reference

    data = ok(contest(director, company))

    assert data == {"reference": reference, "state": "contested", "state_label": "Contestée par l'entreprise"}
    application = Application.objects.get(pk=pk)
    assert (application.state, application.reserved_cents) == ("contested", 200_000)
    assert application.held_from == "submitted"
    assert committed(scheme) == 200_000
    event = AuditEvent.objects.for_object(application).get(action="contest")
    assert (event.actor, event.from_state, event.to_state) == (director.user, "submitted", "contested")
    assert director.get(f"/applications/{pk}").status_code == 404  # still not theirs to read
    assert ok(apis["advisor"].get(f"/applications/{pk}"))["allowed_actions"] == [
        "uphold_contest",
        "dismiss_contest",
    ]

    own = new_file(director, scheme, company, provider, director=False)
    mine = ok(director.post(f"/applications/{own}/submit"))

    assert (mine["state"], mine["reserved_cents"]) == ("submitted", 200_000)
    assert committed(scheme) == 400_000
    assert_ledger_matches(scheme)


def test_only_a_verified_representative_may_contest(apis, scheme, company, provider, director):
    pk = funded_impostor_file(apis, scheme, company, provider)
    ok(declare(director, company))  # not in the register: pending

    for api in (director, apis["other_owner"], apis["advisor"], apis["provider"]):
        response = contest(api, company)
        assert response.status_code == 403, response.json()
    own = contest(apis["owner"], company)
    assert (own.status_code, own.json()["code"]) == (403, "own_file")
    assert state_of(Application(pk=pk)) == "submitted"
    assert not AuditEvent.objects.for_object(Application(pk=pk)).filter(action="contest").exists()


def test_there_is_nothing_to_contest_without_an_open_file(company, director):
    declare_as_director(director, company)

    response = contest(director, company)

    assert (response.status_code, response.json()["code"]) == (409, "nothing_to_contest")


def test_upholding_the_contest_rejects_the_file_and_releases_its_budget(
    apis, scheme, company, provider, director
):
    pk = funded_impostor_file(apis, scheme, company, provider)
    declare_as_director(director, company)
    ok(contest(director, company))

    missing = apis["advisor"].post(f"/applications/{pk}/uphold-contest", json={"note": ""})
    assert missing.status_code == 422
    data = ok(apis["advisor"].post(f"/applications/{pk}/uphold-contest", json={"note": "Pièces falsifiées."}))

    assert (data["state"], data["reserved_cents"]) == ("rejected", 0)
    assert committed(scheme) == 0
    assert Representation.objects.get(user=apis["owner"].user).status == "refused"
    assert moves(pk)[-1] == ("uphold_contest", "contested", "rejected")
    assert_ledger_matches(scheme)


def test_dismissing_the_contest_returns_the_file_where_it_was(apis, scheme, company, provider, director):
    pk = funded_impostor_file(apis, scheme, company, provider)
    ok(apis["advisor"].post(f"/applications/{pk}/start-review"))
    declare_as_director(director, company)
    ok(contest(director, company))

    data = ok(apis["advisor"].post(f"/applications/{pk}/dismiss-contest", json={"note": "Co-gérante."}))

    assert (data["state"], data["reserved_cents"]) == ("under_review", 200_000)
    assert committed(scheme) == 200_000
    assert moves(pk)[-1] == ("dismiss_contest", "contested", "under_review")


def test_the_contest_cannot_be_dismissed_while_the_representative_s_file_is_open(
    apis, scheme, company, provider, director
):
    pk = funded_impostor_file(apis, scheme, company, provider)
    declare_as_director(director, company)
    ok(contest(director, company))
    own = new_file(director, scheme, company, provider, director=False)
    ok(director.post(f"/applications/{own}/submit"))

    response = apis["advisor"].post(f"/applications/{pk}/dismiss-contest")

    assert (response.status_code, response.json()["code"]) == (409, "other_file_open")
    assert state_of(Application(pk=pk)) == "contested"
    assert committed(scheme) == 400_000


# --- whose account is paid ------------------------------------------------------------------------


def test_an_account_in_another_name_is_flagged_and_granted_only_once_the_advisor_confirmed_it(
    apis, scheme, company, provider
):
    owner, advisor = apis["owner"], apis["advisor"]
    pk = new_file(owner, scheme, company, provider, bank_holder="Jean Dupont")
    data = ok(owner.get(f"/applications/{pk}"))
    assert data["payee"]["outcome"] == "no_match"
    assert data["payee"]["outcome_label"] == "Le nom ne correspond pas"
    assert data["payee"]["verified"] is False
    assert data["payee"]["foreign"] is False
    ok(owner.post(f"/applications/{pk}/submit"))
    ok(advisor.post(f"/applications/{pk}/start-review"))

    refused = advisor.post(f"/applications/{pk}/approve")
    assert (refused.status_code, refused.json()["code"]) == (409, "payee_not_verified")
    assert state_of(Application(pk=pk)) == "under_review"
    partial = advisor.post(f"/applications/{pk}/confirm-payee", json={"checklist": ["rib_holder"]})
    assert (partial.status_code, partial.json()["code"]) == (400, "checklist_incomplete")
    assert Application.objects.get(pk=pk).payee_confirmed_at is None
    for role in ("owner", "provider", "manager"):
        denied = apis[role].post(
            f"/applications/{pk}/confirm-payee", json={"checklist": ["rib_holder", "rib_iban"]}
        )
        assert denied.status_code == 403, role

    data = ok(
        advisor.post(f"/applications/{pk}/confirm-payee", json={"checklist": ["rib_holder", "rib_iban"]})
    )

    assert data["payee"]["verified"] is True
    assert data["payee"]["outcome"] == "no_match"  # what the bank said stays on the file
    event = AuditEvent.objects.for_object(Application(pk=pk)).get(action="confirm_payee")
    assert (event.actor, event.data["outcome"]) == (advisor.user, "no_match")
    assert ok(advisor.post(f"/applications/{pk}/approve"))["state"] == "approved"


def test_an_account_changed_after_approval_is_not_paid_until_confirmed(
    apis, people, scheme, company, provider
):
    owner, advisor, manager = apis["owner"], apis["advisor"], apis["manager"]
    pk = new_file(owner, scheme, company, provider)
    ok(owner.post(f"/applications/{pk}/submit"))
    ok(advisor.post(f"/applications/{pk}/start-review"))
    ok(advisor.post(f"/applications/{pk}/approve"))
    ok(
        owner.post(
            f"/applications/{pk}/claim",
            files={
                "invoice": pdf_file("facture.pdf"),
                "proof_of_payment": pdf_file("preuve.pdf"),
                "invoiced_spend_cents": "400000",
            },
        )
    )
    ok(advisor.post(f"/applications/{pk}/start-claim-review"))
    ok(advisor.post(f"/applications/{pk}/approve-claim"))
    new_iban = "DE89370400440532013000"
    register_account(new_iban, company.denomination)

    data = ok(
        owner.post(
            f"/applications/{pk}/bank-account", files={"iban": new_iban, "bank_document": pdf_file("rib.pdf")}
        )
    )

    assert data["iban"] == new_iban
    payee = data["payee"]
    assert (payee["outcome"], payee["foreign"], payee["changed_after_approval"]) == ("match", True, True)
    assert payee["verified"] is False
    refused = manager.post(f"/schemes/{scheme.pk}/payment-batches")
    assert (refused.status_code, refused.json()["code"]) == (400, "nothing_payable")
    assert "changé après l'accord" in refused.json()["message"]
    incomplete = advisor.post(
        f"/applications/{pk}/confirm-payee", json={"checklist": ["rib_holder", "rib_iban"]}
    )
    assert (incomplete.status_code, incomplete.json()["code"]) == (400, "checklist_incomplete")
    ok(
        advisor.post(
            f"/applications/{pk}/confirm-payee",
            json={"checklist": ["rib_holder", "rib_iban", "foreign_account"]},
        )
    )
    batch = ok(manager.post(f"/schemes/{scheme.pk}/payment-batches"), 201)
    assert [line["application_id"] for line in batch["lines"]] == [pk]


def test_the_owner_of_another_file_cannot_change_its_account(apis, scheme, company, provider):
    pk = new_file(apis["owner"], scheme, company, provider)
    ok(apis["owner"].post(f"/applications/{pk}/submit"))
    before = Application.objects.get(pk=pk).iban

    response = apis["other_owner"].post(
        f"/applications/{pk}/bank-account",
        files={"iban": "DE89370400440532013000", "bank_document": pdf_file("rib.pdf")},
    )

    assert response.status_code == 404
    assert Application.objects.get(pk=pk).iban == before


def test_a_provider_reads_neither_who_applies_nor_the_payee_check(apis, draft, people):
    application = bring_to(draft, "submitted", people)

    data = ok(apis["provider"].get(f"/applications/{application.pk}"))

    assert (data["iban"], data["authority"], data["payee"]) == (None, None, None)
    for role in ("owner", "advisor", "manager", "auditor"):
        seen = ok(apis[role].get(f"/applications/{application.pk}"))
        assert seen["authority"]["basis"] == "registry", role
        assert seen["authority"]["matched_role"] == "Gérant", role
        assert seen["payee"]["verified"] is True, role


# --- a provider never applies for its client ------------------------------------------------------


def test_a_provider_s_member_cannot_declare_for_a_company(apis, company):
    response = declare(apis["provider"], company)

    assert (response.status_code, response.json()["code"]) == (403, "provider_for_client")
    assert Representation.objects.count() == 0


def test_an_owner_of_the_chosen_provider_s_domain_is_refused_at_submission(scheme, company, provider):
    provider.email = "contact@agence-lumiere.example.fr"
    provider.save()
    insider = api_for(
        UserFactory(email="paul.girard@agence-lumiere.example.fr", first_name="Paul", last_name="Girard")
    )
    pk = new_file(insider, scheme, company, provider)

    response = insider.post(f"/applications/{pk}/submit")

    assert (response.status_code, response.json()["code"]) == (403, "provider_for_client")
    assert state_of(Application(pk=pk)) == "draft"
    assert committed(scheme) == 0


# --- one voucher per company ----------------------------------------------------------------------


def test_a_voucher_beyond_the_scheme_s_limit_is_refused_with_its_explanation(apis, people, scheme, company):
    EligibilityRule.objects.create(
        scheme=scheme, kind="max_vouchers_per_company", params={"max": 1}, position=99
    )
    first = bring_to(
        ApplicationFactory(scheme=scheme, owner=people["owner"], company=company), "paid", people
    )

    response = apis["owner"].post("/applications", json={"scheme_id": scheme.pk, "siren": company.siren})

    assert response.status_code == 409
    assert response.json()["code"] == "voucher_limit"
    assert first.reference in response.json()["message"]
    assert "au plus 1 par entreprise" in response.json()["message"]
    assert Application.objects.filter(company=company).count() == 1


def test_a_company_under_the_limit_starts_its_draft(apis, scheme, company):
    EligibilityRule.objects.create(
        scheme=scheme, kind="max_vouchers_per_company", params={"max": 1}, position=99
    )

    response = apis["owner"].post("/applications", json={"scheme_id": scheme.pk, "siren": company.siren})

    assert response.status_code == 201, response.json()
    rule = next(
        r
        for r in ok(apis["owner"].get(f"/applications/{response.json()['id']}/eligibility"))["rules"]
        if r["kind"] == "max_vouchers_per_company"
    )
    assert rule["passed"] is True


def test_the_authority_operations_are_described(anonymous, db):
    paths = anonymous.get("/openapi.json").json()["paths"]

    operations = {
        op["operationId"]
        for path, ops in paths.items()
        if path.startswith("/api/v1/authority/")
        for op in ops.values()
    }
    assert operations == {
        "list_representations",
        "declare_representation",
        "add_representation_documents",
        "list_mandates",
        "give_mandate",
        "revoke_mandate",
    }
