"""Every link of the home page (its text, the header, the main menu, the footer) leads somewhere each
role may go: a page (200), or the login page for a visitor who is not logged in; never a refusal."""

import re

import pytest
from django.urls import reverse

from tests.core.helpers import page

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)')
PEOPLE = ["owner", "advisor", "manager", "auditor", "provider_member"]


def links_of(html):
    return sorted({url for url in HREF.findall(html) if not url.startswith(("/static/", "/media/"))})


@pytest.mark.parametrize("person", PEOPLE)
def test_every_link_of_the_home_page_opens_for_a_logged_in_role(request, client_for, scheme, person):
    client = client_for(request.getfixturevalue(person))
    urls = links_of(page(client.get(reverse("core:home"))))
    assert reverse("core:legal") in urls  # the footer was read

    answers = {url: client.get(url, follow=True) for url in urls}

    refused = {url: r.status_code for url, r in answers.items() if r.status_code != 200}
    to_login = [url for url, r in answers.items() if r.request["PATH_INFO"] == reverse("accounts:login")]
    assert refused == {}
    assert to_login == []


def test_every_link_of_the_home_page_opens_or_asks_a_visitor_to_log_in(client, scheme):
    urls = links_of(page(client.get(reverse("core:home"))))
    assert reverse("diagnostics:start") in urls

    answers = {url: client.get(url) for url in urls}

    wrong = {
        url: (r.status_code, r.get("Location"))
        for url, r in answers.items()
        if not (
            r.status_code == 200
            or (r.status_code == 302 and r["Location"].startswith(reverse("accounts:login") + "?next="))
        )
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("person", "shown"),
    [("owner", True), ("advisor", True), ("manager", False), ("auditor", False), ("provider_member", False)],
)
def test_the_diagnostic_button_is_offered_to_those_who_may_start_one(
    request, client_for, scheme, person, shown
):
    html = page(client_for(request.getfixturevalue(person)).get(reverse("core:home")))

    assert (f'href="{reverse("diagnostics:start")}"' in html) is shown
