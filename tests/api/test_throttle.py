"""The API answers 429 in its JSON shape, with Retry-After, per token and per address for anonymous calls."""

import pytest
from django.test import Client

from tests.api.conftest import PREFIX, ApiClient
from tremplin.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    settings.API_RATE_LIMITS = {"token": "3/m", "anonymous": "2/m"}


def test_a_token_over_its_rate_gets_a_429_in_the_api_s_shape(owner, low_rates):
    _token, raw = ApiToken.issue(owner)
    api = ApiClient(owner, raw)

    statuses = [api.get("/schemes").status_code for _ in range(3)]
    refused = api.get("/schemes")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "throttled",
        "message": "Trop de requêtes : réessayez dans quelques instants.",
    }
    assert int(refused["Retry-After"]) >= 1


def test_each_token_has_its_own_allowance(owner, low_rates):
    _first, raw_first = ApiToken.issue(owner, "premier")
    _second, raw_second = ApiToken.issue(owner, "second")
    for _ in range(3):
        ApiClient(owner, raw_first).get("/schemes")

    assert ApiClient(owner, raw_first).get("/schemes").status_code == 429
    assert ApiClient(owner, raw_second).get("/schemes").status_code == 200


def test_anonymous_calls_are_limited_per_address(db, low_rates):
    client = Client()

    statuses = [client.get(f"{PREFIX}/providers", REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get(f"{PREFIX}/providers", REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_buy_more_calls(db, low_rates):
    client = Client()

    statuses = [
        client.get(
            f"{PREFIX}/providers", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]

    assert statuses == [200, 200, 429]
