import pytest

from tests.api.conftest import api_for
from tests.factories import CompanyFactory, UserFactory
from tremplin.registry.api import HIDDEN_NAME


@pytest.fixture
def api(db):
    return api_for(UserFactory())


def test_it_returns_a_company_of_the_registry(api):
    company = CompanyFactory(denomination="Boulangerie Martin", acronym="BM")

    response = api.get(f"/registry/companies/{company.siren}")

    assert response.status_code == 200
    data = response.json()
    assert data["siren"] == company.siren
    assert data["name"] == "Boulangerie Martin"
    assert data["acronym"] == "BM"
    assert data["active"] is True
    assert data["departement"] == {"code": "69", "name": "Rhône"}
    assert data["region"] == {"code": "84", "name": "Auvergne-Rhône-Alpes"}
    assert data["head_office_siret"] == company.siren + "00011"


def test_it_never_shows_what_sirene_hides_under_partial_diffusion(api):
    company = CompanyFactory(
        diffusion="P",
        denomination="",
        first_name="Jeanne",
        last_name="Durandal",
        acronym="JD",
        head_office_postal_code="69004",
        head_office_commune_code="69384",
    )

    response = api.get(f"/registry/companies/{company.siren}")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Jeanne" not in body and "Durandal" not in body and "69004" not in body
    data = response.json()
    assert data["name"] == HIDDEN_NAME
    assert data["acronym"] is None
    assert data["head_office_postal_code"] is None
    assert data["head_office_commune_code"] == "69384"  # the commune stays public


def test_it_never_shows_the_nd_placeholder(api):
    company = CompanyFactory(diffusion="P", denomination="[ND]", last_name="[ND]")

    body = api.get(f"/registry/companies/{company.siren}").content.decode()

    assert "[ND]" not in body


def test_an_unknown_siren_is_not_found(api):
    response = api.get("/registry/companies/732829320")

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_siren"
    assert "732829320" in response.json()["message"]


@pytest.mark.parametrize("siren", ["732829321", "12345", "abcdefghi"])
def test_an_invalid_siren_is_a_400_with_a_french_message(api, siren):
    response = api.get(f"/registry/companies/{siren}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_siren"
    assert response.json()["field"] == "siren"
    assert "SIREN" in response.json()["message"]
