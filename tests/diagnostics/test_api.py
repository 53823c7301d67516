from tests.diagnostics.conftest import ApiClient
from tests.diagnostics.helpers import Q, all_maximum, dimension_answers
from tests.factories import CompanyFactory
from tremplin.diagnostics.models import Diagnostic


def test_a_partner_crm_creates_answers_completes_and_reads_results(advisor, owner, company):
    api = ApiClient(advisor)
    created = api.post("", {"siren": company.siren, "owner_email": owner.email})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["conducted_by_advisor"] is True
    assert api.post("", {"siren": company.siren, "owner_email": owner.email}).status_code == 200
    for step in range(1, 7):
        response = api.post(
            f"/{pk}/answers", {"version": Q.version, "answers": dimension_answers(all_maximum(), step)}
        )
        assert response.status_code == 200, response.content
    done = api.post(f"/{pk}/complete")
    assert done.status_code == 200
    assert done.json()["overall_score"] == 100.0
    assert done.json()["level"] == "advanced"
    results = api.get(f"/{pk}/results").json()
    assert results["peers"] is None  # one diagnostic: under the privacy threshold
    assert results["history"][0]["label"] == "T0"
    assert isinstance(results["recommendations"], list)
    again = api.post(f"/{pk}/complete")
    assert again.status_code == 409
    assert again.json()["code"] == "already_completed"


def test_bad_answers_get_a_structured_error_and_change_nothing(owner, company):
    api = ApiClient(owner)
    pk = api.post("", {"siren": company.siren}).json()["id"]
    cases = [
        ({"version": "dma-1999", "answers": {"q2": []}}, "version_mismatch", "version"),
        ({"version": Q.version, "answers": {"q99": []}}, "unknown_question", "q99"),
        (
            {"version": Q.version, "answers": {"q2": [], "q4": dict.fromkeys(Q.questions["q4"].item_ids, 6)}},
            "out_of_range",
            "q4",
        ),
        ({"version": Q.version, "answers": {"q7": ["not_digital", "stored"]}}, "exclusive_answer", "q7"),
    ]
    for payload, code, field in cases:
        response = api.post(f"/{pk}/answers", payload)
        assert response.status_code == 400
        assert response.json()["code"] == code
        assert response.json()["field"] == field
        assert response.json()["message"]
    assert Diagnostic.objects.get(pk=pk).answers == {}


def test_results_of_an_unfinished_diagnostic_are_a_conflict(owner, company):
    api = ApiClient(owner)
    pk = api.post("", {"siren": company.siren}).json()["id"]
    response = api.get(f"/{pk}/results")
    assert response.status_code == 409
    assert response.json()["code"] == "not_completed"


def test_an_unknown_or_invalid_siren_is_refused(owner, db):
    api = ApiClient(owner)
    unknown = api.post("", {"siren": "732829320"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_siren")
    assert api.post("", {"siren": "123"}).status_code == 400


def test_a_ceased_company_is_refused_with_the_registry_s_code(owner, rhone):
    ceased = CompanyFactory(departement=rhone, state="C")
    response = ApiClient(owner).post("", {"siren": ceased.siren})
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("company_ceased", "siren")


def test_without_a_token_the_api_answers_401(client, db):
    response = client.get("/api/v1/diagnostics")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
