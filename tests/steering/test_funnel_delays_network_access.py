"""Who may open the funnel, delays and network pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
PAGES = [reverse("steering:funnel"), reverse("steering:delays"), reverse("steering:network")]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["manager", "auditor", "head"])
def test_those_who_steer_see_the_page(request, client, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["owner", "provider_member", "advisor", "other_advisor"])
def test_others_are_refused(request, client, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", PAGES)
def test_the_pages_only_read(client, auditor, url):
    client.force_login(auditor)
    assert client.post(url).status_code == 405
