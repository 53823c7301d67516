"""Who sees steering pages, and on which territory."""

import pytest
from django.urls import reverse

from tests.factories import DepartementFactory, UserFactory
from tremplin.steering.scope import may_steer, scope_for

pytestmark = pytest.mark.django_db
INDEX = reverse("steering:index")


@pytest.fixture
def head(advisor):
    advisor.heads_organisation = True
    advisor.save()
    return advisor


def test_managers_and_auditors_see_the_nation(manager, auditor):
    for person in (manager, auditor):
        scope = scope_for(person)
        assert scope.national and scope.covers("2A")


def test_an_organisation_s_head_sees_its_territory_only(head):
    scope = scope_for(head)
    covered = set(head.organisation.departements.values_list("pk", flat=True))
    assert not scope.national and scope.departements == covered and covered
    assert scope.label == head.organisation.name
    outside = DepartementFactory(code="2B")
    assert not scope.covers(outside.code)


@pytest.mark.parametrize("who", ["owner", "provider_member", "advisor", "other_advisor"])
def test_other_people_may_not_steer(request, client, who):
    person = request.getfixturevalue(who)
    assert not may_steer(person)
    client.force_login(person)
    assert client.get(INDEX).status_code == 403


def test_a_head_without_an_organisation_may_not_steer():
    assert not may_steer(UserFactory(advisor=True, organisation=None, heads_organisation=True))


@pytest.mark.parametrize("who", ["manager", "auditor", "head"])
def test_the_menu_leads_those_who_steer_to_it(request, client, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("core:dashboard"), follow=True).content.decode()
    assert f'href="{INDEX}"' in page
    assert client.get(INDEX).status_code == 200


def test_the_page_names_the_viewer_s_scope(client, head, manager):
    client.force_login(head)
    assert head.organisation.name in client.get(INDEX).content.decode()
    client.force_login(manager)
    assert "France entière" in client.get(INDEX).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_an_owner_does_not_see_the_menu_entry(client, owner):
    client.force_login(owner)
    assert f'href="{INDEX}"' not in client.get(reverse("vouchers:list")).content.decode()
