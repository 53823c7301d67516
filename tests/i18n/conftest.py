import pytest
from django.conf import settings

from tremplin.vouchers import services


@pytest.fixture
def english(client):
    """The test client, with the language cookie the header's language switch sets."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def submitted(draft):
    return services.submit(draft.owner, draft)
