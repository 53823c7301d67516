import pytest

from tests.factories import (
    DepartementFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
    luhn_complete,
)
from tremplin.network import services
from tremplin.network.models import AdvisorProfile, Antenna, Theme


def make_advisor(organisation, *, departements, themes, antenna=None, **user):
    """An advisor of `organisation` in an antenna covering `departements`, with these specialties."""
    if antenna is None:
        antenna = Antenna.objects.create(
            organisation=organisation, name=f"Antenne {Antenna.objects.count() + 1}"
        )
        antenna.departements.set(departements)
    advisor = UserFactory(advisor=True, organisation=organisation, **user)
    profile = AdvisorProfile.objects.create(user=advisor, antenna=antenna)
    profile.specialties.set(themes)
    return advisor


@pytest.fixture
def loire(db):
    return DepartementFactory(code="42", name="Loire", region=RegionFactory(code="84"))


@pytest.fixture
def website(db):
    return Theme.objects.create(code="site-internet", label="Site internet")


@pytest.fixture
def cyber(db):
    return Theme.objects.create(code="cybersecurite", label="Cybersécurité")


@pytest.fixture
def cci(rhone):
    return OrganisationFactory(name="CCI Lyon", departements=[rhone])


@pytest.fixture
def cma(rhone):
    return OrganisationFactory(name="CMA Rhône", kind="cma", departements=[rhone])


@pytest.fixture
def loire_cci(loire):
    return OrganisationFactory(name="CCI Loire", departements=[loire])


# The network's advisors work in an antenna with specialties: they override the root's.
@pytest.fixture
def advisor(cci, rhone, website):
    return make_advisor(cci, departements=[rhone], themes=[website], email="alice@cci-lyon.fr")


@pytest.fixture
def other_advisor(loire_cci, loire, website):
    """An advisor of another territory."""
    return make_advisor(loire_cci, departements=[loire], themes=[website], email="bob@cci-loire.fr")


@pytest.fixture
def match(advisor, company, website):
    request = services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code=website.code,
        description="x",
    ).request
    return request.matches.get()


@pytest.fixture
def people(owner, advisor, other_advisor, provider_member, manager, auditor):
    return {
        "anonymous": None,
        "owner": owner,
        "advisor_own": advisor,
        "advisor_other": other_advisor,
        "provider": provider_member,
        "manager": manager,
        "auditor": auditor,
    }
