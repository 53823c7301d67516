"""A well-formed SIREN the registry does not know names nothing (404) on every operation that names a
company; a ceased company exists but cannot take part (409). A malformed number stays a 400."""

import pytest

from tests.api.conftest import api_for
from tests.factories import CompanyFactory
from tremplin.registry.models import Company

UNKNOWN = "732829320"


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/applications/contest", {"siren": UNKNOWN, "reason": "Je n'ai rien demandé."}),
        (
            "/authority/representations",
            {
                "siren": UNKNOWN,
                "capacity": "representative",
                "given_names": "Anne",
                "family_name": "Martin",
                "birth_date": "1980-04-02",
            },
        ),
        (
            "/authority/mandates",
            {"siren": UNKNOWN, "holder_email": "a@cabinet.fr", "holder_name": "A", "kind": "accountant"},
        ),
        ("/diagnostics", {"siren": UNKNOWN}),
    ],
)
def test_an_unknown_company_is_not_found(owner, path, payload):
    assert not Company.objects.filter(siren=UNKNOWN).exists()

    response = api_for(owner).post(path, json=payload)

    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == ("unknown_siren", "siren")


def test_a_ceased_company_is_a_conflict(owner):
    ceased = CompanyFactory(state=Company.State.CEASED)

    response = api_for(owner).post("/applications/contest", json={"siren": ceased.siren, "reason": "Rien."})

    assert (response.status_code, response.json()["code"]) == (409, "company_ceased")
