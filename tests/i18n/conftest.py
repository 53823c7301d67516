import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory, UserFactory
from tremplin.vouchers import services


@pytest.fixture(autouse=True)
def _french_after_each_test():
    """Django leaves the last request's language active on the thread: an English page would make the
    next test run in English. Put the site's language back after each test of this folder."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def english(client):
    """The test client, with the language cookie the header's language switch sets."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def scheme(db):
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme)
    return scheme


@pytest.fixture
def draft(scheme):
    return ApplicationFactory(scheme=scheme)


@pytest.fixture
def submitted(draft):
    return services.submit(draft.owner, draft)


@pytest.fixture
def advisor(db):
    # The organisation factory covers the Rhône, where CompanyFactory puts every company.
    return UserFactory(advisor=True)


@pytest.fixture
def manager(db):
    return UserFactory(manager=True)
