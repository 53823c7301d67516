import pytest

from tests.factories import UserFactory
from tests.payments.flows import advisor_of_default_territory, scheme_with_budget
from tremplin.schemes.models import Scheme


@pytest.fixture
def manager(db):
    return UserFactory(manager=True)


@pytest.fixture
def advisor(db):
    return advisor_of_default_territory()


@pytest.fixture
def scheme(db):
    return scheme_with_budget(Scheme.Payee.BUSINESS)


@pytest.fixture
def provider_scheme(db):
    return scheme_with_budget(Scheme.Payee.PROVIDER)
