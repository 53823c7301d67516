import pytest

from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    EnvelopeFactory,
    OrganisationFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
)
from tremplin.vouchers import services


@pytest.fixture
def scheme(db):
    """An open first-come-first-served scheme with a budget in the default région."""
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme)
    return scheme


@pytest.fixture
def draft(scheme):
    """A complete draft of a company of the Rhône."""
    return ApplicationFactory(scheme=scheme)


@pytest.fixture
def owner(draft):
    return draft.owner


@pytest.fixture
def stranger(db):
    """Another business owner."""
    return UserFactory()


@pytest.fixture
def advisor(db):
    return UserFactory(advisor=True)


@pytest.fixture
def other_advisor(db):
    """An advisor whose organisation covers Paris only."""
    paris = DepartementFactory(code="75", name="Paris", region=RegionFactory(code="11", name="Île-de-France"))
    return UserFactory(advisor=True, organisation=OrganisationFactory(departements=[paris]))


@pytest.fixture
def manager(db):
    return UserFactory(manager=True)


@pytest.fixture
def auditor(db):
    return UserFactory(auditor=True)


@pytest.fixture
def submitted(draft):
    return services.submit(draft.owner, draft)


@pytest.fixture
def under_review(submitted, advisor):
    return services.start_review(advisor, submitted)


@pytest.fixture
def approved(under_review, advisor):
    return services.approve(advisor, under_review, "Dossier complet.")


@pytest.fixture
def as_user(client):
    """Log the test client in as this user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login
