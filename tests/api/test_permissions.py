"""Every transition endpoint: done by the role it belongs to, refused for every other, nothing changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import bring_to, held_for_authority, row, state_of
from tests.factories import ApplicationFactory, CompanyFactory, UserFactory, pdf_file, verified_by_registry
from tremplin.authority.services import CHECKLIST
from tremplin.vouchers import services
from tremplin.vouchers.models import Application

ROLES = ["owner", "other_owner", "advisor", "other_advisor", "provider", "auditor", "manager"]


def claim_files():
    return {
        "invoice": pdf_file("facture.pdf"),
        "proof_of_payment": pdf_file("preuve.pdf"),
        "invoiced_spend_cents": "400000",
    }


# endpoint, state it starts from, role allowed, advisor's action?, body, state reached
TRANSITIONS = [
    ("submit", "draft", "owner", None, "submitted"),
    (
        "confirm-authority",
        "authority_check",
        "advisor",
        {"checklist": [key for key, _label in CHECKLIST]},
        "submitted",
    ),
    (
        "refuse-authority",
        "authority_check",
        "advisor",
        {"note": "L'extrait ne le mentionne pas."},
        "rejected",
    ),
    ("uphold-contest", "contested", "advisor", {"note": "Demande faite sans mandat."}, "rejected"),
    ("dismiss-contest", "contested", "advisor", None, "submitted"),
    ("start-review", "submitted", "advisor", None, "under_review"),
    ("request-info", "under_review", "advisor", {"message": "Le devis n'est pas signé."}, "info_requested"),
    ("answer-info", "info_requested", "owner", {"message": "Voici le devis signé."}, "under_review"),
    ("approve", "under_review", "advisor", {"note": "Dossier complet."}, "approved"),
    ("reject", "under_review", "advisor", {"reason": "quote_invalid"}, "rejected"),
    ("withdraw", "submitted", "owner", {"reason": "Projet abandonné."}, "withdrawn"),
    ("claim", "approved", "owner", claim_files, "claim_submitted"),
    ("start-claim-review", "claim_submitted", "advisor", None, "claim_under_review"),
    (
        "request-claim-info",
        "claim_under_review",
        "advisor",
        {"message": "Relevé bancaire ?"},
        "claim_info_requested",
    ),
    ("answer-claim-info", "claim_info_requested", "owner", {"message": "Le voici."}, "claim_under_review"),
    ("approve-claim", "claim_under_review", "advisor", None, "claim_approved"),
    ("expire", "approved", "manager", None, "expired"),
    ("claw-back", "paid", "manager", {"reason": "Contrôle : facture fictive."}, "clawed_back"),
]


def expected_refusal(endpoint, from_state, allowed, role):
    """(status, code) for a role that may not act. Files a role cannot see are simply not found."""
    if role == "other_owner":
        return 404, "not_found"
    if role == "other_advisor":
        return (403, "other_territory") if allowed == "advisor" else (404, "not_found")
    if role in ("advisor", "provider") and from_state == "draft":
        return 404, "not_found"  # drafts stay between the owner and the platform
    return 403, "forbidden"


def call(api, endpoint, application, body):
    path = f"/applications/{application.pk}/{endpoint}"
    if callable(body):
        return api.post(path, files=body())
    return api.post(path, json=body)


@pytest.fixture
def prepared(draft, people):
    def prepare(from_state, endpoint):
        if from_state == "authority_check":
            # The owner is not in the register for this other company of hers: she sent documents.
            other = ApplicationFactory(
                scheme=draft.scheme,
                owner=draft.owner,
                company=CompanyFactory(departement=draft.company.departement),
                provider=draft.provider,
                standing=False,
            )
            return held_for_authority(other)
        if from_state == "contested":
            application = bring_to(draft, "submitted", people)
            director = UserFactory(first_name="Jeanne", last_name="Lefèvre")
            verified_by_registry(director, application.company)
            return services.contest(director, application.company, "Je n'ai jamais fait cette demande.")
        application = bring_to(draft, from_state, people)
        if endpoint == "expire":
            Application.objects.filter(pk=application.pk).update(
                valid_until=timezone.localdate() - timedelta(days=1)
            )
        return application

    return prepare


@pytest.mark.parametrize(
    ("endpoint", "from_state", "allowed", "body", "to_state"), TRANSITIONS, ids=[t[0] for t in TRANSITIONS]
)
def test_the_role_a_transition_belongs_to_can_do_it(
    apis, prepared, endpoint, from_state, allowed, body, to_state
):
    application = prepared(from_state, endpoint)

    response = call(apis[allowed], endpoint, application, body)

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == to_state
    assert state_of(application) == to_state


REFUSALS = [
    pytest.param(endpoint, from_state, allowed, body, role, id=f"{endpoint}-by-{role}")
    for endpoint, from_state, allowed, body, _to_state in TRANSITIONS
    for role in ROLES
    if role != allowed
]


@pytest.mark.parametrize(("endpoint", "from_state", "allowed", "body", "role"), REFUSALS)
def test_every_other_role_is_refused_and_nothing_changes(
    apis, prepared, endpoint, from_state, allowed, body, role
):
    application = prepared(from_state, endpoint)
    before = row(application)

    response = call(apis[role], endpoint, application, body)

    status, code = expected_refusal(endpoint, from_state, allowed, role)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert row(application) == before


@pytest.mark.parametrize("role", ["owner", "advisor", "other_advisor", "provider", "auditor"])
def test_only_a_manager_can_draw_a_lottery(apis, role, lottery_scheme):
    response = apis[role].post(f"/schemes/{lottery_scheme.pk}/draw", json={"seed": "graine-publiee"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    lottery_scheme.refresh_from_db()
    assert lottery_scheme.lottery_drawn_at is None


@pytest.fixture
def lottery_scheme(db):
    from tests.factories import EnvelopeFactory, SchemeFactory
    from tremplin.schemes.models import Scheme

    scheme = SchemeFactory(
        allocation=Scheme.Allocation.LOTTERY,
        window_opens_at=timezone.now() - timedelta(days=60),
        window_closes_at=timezone.now() - timedelta(days=1),
    )
    EnvelopeFactory(scheme=scheme)
    return scheme
