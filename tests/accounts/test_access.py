"""The one access rule: `covers` and `scope`, on real querysets of files."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404

from tests.factories import ApplicationFactory, DepartementFactory, OrganisationFactory, UserFactory
from tremplin.accounts.access import covers, get_for_user, scope
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def files():
    return ApplicationFactory(), ApplicationFactory()


def scoped(user):
    return set(
        scope(
            Application.objects.all(),
            user,
            owner="owner",
            advisor="company__departement",
            provider="provider_id",
        ).values_list("pk", flat=True)
    )


def test_an_advisor_covers_the_departements_of_their_organisation_only(files):
    mine = files[0].company.departement
    advisor = UserFactory(advisor=True, organisation=OrganisationFactory(departements=[mine]))
    elsewhere = DepartementFactory(code="29", name="Finistère")
    assert covers(advisor, mine) and covers(advisor, mine.pk)
    assert not covers(advisor, elsewhere) and not covers(advisor, None)
    assert not covers(UserFactory(manager=True), mine)
    assert not covers(AnonymousUser(), mine)


def test_managers_and_auditors_see_everything_and_anonymous_nothing(files):
    everything = {f.pk for f in files}
    assert scoped(UserFactory(manager=True)) == everything
    assert scoped(UserFactory(auditor=True)) == everything
    assert scoped(AnonymousUser()) == set()


def test_owners_see_theirs_and_providers_what_concerns_them(files):
    first, second = files
    assert scoped(first.owner) == {first.pk}
    member = UserFactory(provider_member=True)
    Application.objects.filter(pk=second.pk).update(provider=member.provider)
    assert scoped(member) == {second.pk}
    assert scoped(UserFactory(provider_member=True)) == set()


def test_advisors_see_their_territory_and_nothing_without_an_organisation(files):
    first, _second = files
    paris = DepartementFactory(code="75", name="Paris")
    other = UserFactory(advisor=True, organisation=OrganisationFactory(departements=[paris]))
    assert scoped(other) == set()
    covering = UserFactory(
        advisor=True, organisation=OrganisationFactory(departements=[first.company.departement])
    )
    assert first.pk in scoped(covering)


def test_a_role_given_no_rule_sees_nothing_and_a_function_rule_is_applied(files):
    first, _second = files
    owner_only = scope(Application.objects.all(), UserFactory(advisor=True), owner="owner")
    assert not owner_only.exists()
    by_function = scope(Application.objects.all(), first.owner, owner=lambda user: Q(owner=user))
    assert list(by_function) == [first]


def test_get_for_user_answers_404_for_what_is_out_of_scope_or_malformed(files):
    first, second = files
    qs = Application.objects.filter(owner=first.owner)
    assert get_for_user(qs, first.pk) == first
    for pk in (second.pk, "abc", None):
        with pytest.raises(Http404, match="Dossier introuvable"):
            get_for_user(qs, pk, "Dossier introuvable.")
