"""De minimis in the API: the linked companies declared through PATCH, the structured refusal over the
ceiling (409 at submission and at approval, documented), the check kept on the file and shown by the
eligibility."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.api import api as ninja_api
from tests.api.conftest import api_for, ok
from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db
CEILING = 30_000_000


def test_the_owner_declares_linked_companies_and_reads_them_back(draft, owner):
    api = api_for(owner)
    known = CompanyFactory(denomination="Holding Martin")
    data = ok(
        api.patch(
            f"/applications/{draft.pk}",
            {
                "declared_de_minimis_cents": 100_000,
                "linked_companies": [
                    {"siren": known.siren, "de_minimis_cents": 250_000},
                    {"siren": "443 061 841", "name": "Société absente", "de_minimis_cents": 0},
                ],
            },
        )
    )
    assert data["has_linked_companies"] is True
    assert data["linked_companies"] == [
        {"siren": known.siren, "name": "Holding Martin", "de_minimis_cents": 250_000, "in_registry": True},
        {"siren": "443061841", "name": "Société absente", "de_minimis_cents": 0, "in_registry": False},
    ]
    eligibility = ok(api.get(f"/applications/{draft.pk}/eligibility"))
    check = eligibility["de_minimis"]
    amount = draft.scheme.voucher_amount_cents(draft.planned_spend_cents)
    assert check["declared_cents"] == 100_000 and check["linked_cents"] == 250_000
    assert check["total_cents"] == 100_000 + 250_000 + amount and check["passed"] is True
    assert check["regulation"] == "Règlement (UE) 2023/2831"
    # An empty list: no linked company any more (the answer stays, the owner may change it).
    data = ok(api.patch(f"/applications/{draft.pk}", {"linked_companies": [], "has_linked_companies": False}))
    assert data["linked_companies"] == [] and data["has_linked_companies"] is False


@pytest.mark.parametrize(
    "item, code, field",
    [
        ({"siren": "732829321", "de_minimis_cents": 0}, "invalid_siren", "linked_siren"),
        ({"siren": "abc", "de_minimis_cents": 0}, "invalid_siren", "linked_siren"),
    ],
)
def test_a_wrong_siren_is_a_400_with_its_code(draft, owner, item, code, field):
    response = api_for(owner).patch(f"/applications/{draft.pk}", {"linked_companies": [item]})
    assert response.status_code == 400
    assert response.json() == {"code": code, "message": response.json()["message"], "field": field}


def operation(method, path):
    return ninja_api.get_openapi_schema(path_prefix="/api/v1/")["paths"]["/api/v1" + path][method]


def test_a_linked_company_declared_twice_is_a_400_the_operation_documents(draft, owner):
    twice = [{"siren": "443061841", "de_minimis_cents": 0}, {"siren": "443 061 841", "de_minimis_cents": 5}]
    response = api_for(owner).patch(f"/applications/{draft.pk}", {"linked_companies": twice})
    assert response.status_code == 400
    assert response.json() == {
        "code": "linked_duplicate",
        "message": "Cette entreprise liée est déjà déclarée.",
        "field": "linked_siren",
    }
    assert not draft.linked_companies.exists()
    # JSON Schema's uniqueItems cannot say "unique by SIREN": the 400 response names the refusal instead.
    refused = operation("patch", "/applications/{application_id}")["responses"][400]
    assert "`linked_duplicate`" in refused["description"]
    example = refused["content"]["application/json"]["examples"]["linked_duplicate"]["value"]
    assert example == response.json()


def test_linked_companies_with_a_no_are_refused_and_change_nothing(draft, owner):
    contradiction = {
        "has_linked_companies": False,
        "linked_companies": [{"siren": "443061841", "de_minimis_cents": 0}],
    }
    response = api_for(owner).patch(f"/applications/{draft.pk}", contradiction)
    assert response.status_code == 400 and response.json()["code"] == "linked_companies_declared"
    assert not draft.linked_companies.exists()


@pytest.mark.parametrize(
    "method, path",
    [("post", "/applications/{application_id}/submit"), ("post", "/applications/{application_id}/approve")],
)
def test_the_refusal_over_the_ceiling_is_a_documented_409(method, path):
    refused = operation(method, path)["responses"][409]
    assert "`de_minimis_ceiling`" in refused["description"]
    example = refused["content"]["application/json"]["examples"]["de_minimis_ceiling"]["value"]
    assert example["code"] == "de_minimis_ceiling" and example["details"]["passed"] is False
    assert refused["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_negative_amount_or_too_many_companies_is_a_422(draft, owner):
    api = api_for(owner)
    response = api.patch(
        f"/applications/{draft.pk}", {"linked_companies": [{"siren": "443061841", "de_minimis_cents": -1}]}
    )
    assert response.status_code == 422
    many = [{"siren": "443061841", "de_minimis_cents": 0}] * 21
    assert api.patch(f"/applications/{draft.pk}", {"linked_companies": many}).status_code == 422


def test_over_the_ceiling_the_submission_is_refused_with_the_sums(draft, owner):
    api = api_for(owner)
    ok(api.patch(f"/applications/{draft.pk}", {"declared_de_minimis_cents": CEILING}))
    response = api.post(f"/applications/{draft.pk}/submit")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "de_minimis_ceiling"
    assert "au-delà du plafond de 300\u202f000 € sur 3 ans" in body["message"]
    amount = draft.scheme.voucher_amount_cents(draft.planned_spend_cents)
    assert body["details"]["total_cents"] == CEILING + amount
    assert body["details"]["ceiling_cents"] == CEILING and body["details"]["passed"] is False
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT


def test_over_the_ceiling_at_approval_is_a_409_with_the_sums(draft, owner, advisor):
    amount = draft.scheme.voucher_amount_cents(draft.planned_spend_cents)
    services.update_draft(owner, draft, declared_de_minimis_cents=CEILING - amount)
    submitted = services.start_review(advisor, services.submit(owner, draft))
    assert (
        ok(api_for(owner).get(f"/applications/{draft.pk}"))["de_minimis_check"]["submission"]["passed"]
        is True
    )
    # Since then, the programme granted the company another voucher (another scheme's).
    other = ApplicationFactory(company=draft.company, state=State.PAID, amount_cents=100, reserved_cents=100)
    Application.objects.filter(pk=other.pk).update(decided_at=datetime.now(ZoneInfo("Europe/Paris")))
    response = api_for(advisor).post(f"/applications/{submitted.pk}/approve")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "de_minimis_ceiling"
    assert body["details"]["granted"] == [
        {
            "reference": other.reference,
            "siren": draft.company.siren,
            "granted_on": date.today().isoformat(),
            "amount_cents": 100,
        }
    ]
    assert body["details"]["total_cents"] == CEILING + 100


def test_a_provider_does_not_see_the_linked_companies(draft, owner, provider_member):
    services.declare_linked_companies(owner, draft, [{"siren": "443061841", "de_minimis_cents": 5}])
    services.submit(owner, draft)
    data = ok(api_for(provider_member).get(f"/applications/{draft.pk}"))
    assert data["linked_companies"] == []
    assert data["de_minimis_check"] == {"submission": None, "approval": None}


@pytest.mark.parametrize("answer", [0, 1, "true", "non"])
def test_the_linked_companies_answer_is_true_or_false_only(draft, owner, answer):
    """A 0 or a "true" is not read as an answer: the owner's statement is a yes or a no (found by fuzzing)."""
    api = api_for(owner)
    response = api.patch(f"/applications/{draft.pk}", {"has_linked_companies": answer})
    assert response.status_code == 422
    assert Application.objects.get(pk=draft.pk).has_linked_companies is False
