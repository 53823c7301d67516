"""The public pages answer HEAD as they answer GET, without a body (link checkers, monitors, caches ask
HEAD first); a POST is still refused."""

import pytest
from django.urls import reverse

from tests.factories import ProviderFactory, SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages(db):
    SchemeFactory()
    provider = ProviderFactory()
    return [
        reverse("core:home"),
        reverse("core:check"),
        reverse("core:accessibility"),
        reverse("core:legal"),
        reverse("providers:directory"),
        reverse("providers:detail", args=[provider.pk]),
    ]


def test_the_public_pages_answer_head_like_get_without_a_body(client, public_pages):
    for url in public_pages:
        got, head = client.get(url), client.head(url)
        assert (url, got.status_code, head.status_code) == (url, 200, 200)
        assert head["Content-Type"] == got["Content-Type"]
        assert head.content == b""


def test_the_public_pages_still_refuse_a_post(client, public_pages):
    for url in public_pages:
        assert (url, client.post(url).status_code) == (url, 405)
