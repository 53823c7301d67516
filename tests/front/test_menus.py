"""The header menu of each role: the budget page for the manager and the auditor only, and every
link a role is shown answers for that role."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["owner", "advisor", "manager", "auditor", "provider_member"]
NAV = re.compile(r'<nav role="navigation" class="fr-nav".*?</nav>', re.S)
LINK = re.compile(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>')


def menu(client):
    """(address, label) of the main menu's links, from the home page."""
    page = client.get(reverse("core:home")).content.decode()
    return LINK.findall(NAV.search(page).group(0))


@pytest.mark.parametrize("role", ROLES)
def test_the_budget_page_is_in_the_menu_of_the_manager_and_the_auditor_only(
    role, request, client_for, scheme
):
    links = menu(client_for(request.getfixturevalue(role)))
    budget = [href for href, label in links if label == "Dispositifs et budget"]
    if role in ("manager", "auditor"):
        assert budget == [reverse("vouchers:schemes")]
    else:
        assert budget == []


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_a_roles_menu_answers_for_that_role(role, request, client_for, scheme):
    client = client_for(request.getfixturevalue(role))
    for href, label in menu(client):
        assert client.get(href).status_code == 200, (label, href)


def test_the_budget_page_lists_each_scheme_with_its_envelopes_totals(client_for, manager, scheme):
    envelope = scheme.envelopes.get()
    page = client_for(manager).get(reverse("vouchers:schemes")).content.decode()
    assert scheme.name in page
    assert reverse("vouchers:scheme", args=[scheme.slug]) in page
    total = f"{envelope.total_cents // 100:,}".replace(",", "\u202f")
    assert f"{total}\u00a0€" in page or f"{total} €" in page


@pytest.mark.parametrize("role", ["owner", "advisor", "provider_member"])
def test_the_budget_page_is_refused_to_the_other_roles(role, request, client_for, scheme):
    response = client_for(request.getfixturevalue(role)).get(reverse("vouchers:schemes"))
    assert response.status_code == 403
