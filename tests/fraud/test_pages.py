"""The flags on the file page (staff only) and the auditors' list of flagged files."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"
TITLE = "Signalements à examiner"


@pytest.fixture
def pair(scheme, rhone, provider_member):
    """Two files of the Rhône with one IBAN, the first made with the provider member's agency."""
    first = ApplicationFactory(
        scheme=scheme,
        state=State.UNDER_REVIEW,
        company=CompanyFactory(departement=rhone),
        iban=IBAN,
        provider=provider_member.provider,
    )
    second = ApplicationFactory(
        scheme=scheme, state=State.UNDER_REVIEW, company=CompanyFactory(departement=rhone), iban=IBAN
    )
    return first, second


def page(client, application):
    return client.get(reverse("vouchers:detail", args=[application.pk]))


@pytest.mark.parametrize("role", ["advisor", "manager", "auditor"])
def test_staff_see_the_flags_on_the_file_with_links_to_the_other_files(role, request, client_for, pair):
    first, second = pair
    html = page(client_for(request.getfixturevalue(role)), first).content.decode()
    assert TITLE in html
    assert escape(f"L'IBAN {IBAN} est aussi celui de {second.company.display_name}") in html
    assert reverse("vouchers:detail", args=[second.pk]) in html


def test_the_owner_and_the_provider_see_no_flag(client_for, pair, provider_member):
    first, _second = pair
    for user in (first.owner, provider_member):
        response = page(client_for(user), first)
        assert response.status_code == 200
        html = response.content.decode()
        assert TITLE not in html and "est aussi celui de" not in html


def test_an_advisor_of_another_territory_cannot_open_the_file(client_for, pair, other_advisor):
    assert page(client_for(other_advisor), pair[0]).status_code == 404


def test_a_file_without_flags_shows_no_block(client_for, advisor, scheme, rhone):
    application = ApplicationFactory(
        scheme=scheme, state=State.UNDER_REVIEW, company=CompanyFactory(departement=rhone)
    )
    assert TITLE not in page(client_for(advisor), application).content.decode()


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_the_list_shows_the_flagged_files_filterable_by_kind(role, request, client_for, pair):
    first, second = pair
    client = client_for(request.getfixturevalue(role))
    html = client.get(reverse("fraud:list")).content.decode()
    assert first.reference in html and second.reference in html
    assert "Même IBAN pour des entreprises différentes (2)" in html
    other_kind = client.get(reverse("fraud:list"), {"type": "at_cap"}).content.decode()
    assert first.reference not in other_kind and "Aucun dossier signalé." in other_kind
    unknown = client.get(reverse("fraud:list"), {"type": "<script>"})
    assert unknown.status_code == 200 and first.reference in unknown.content.decode()


@pytest.mark.parametrize("role", ["owner", "advisor", "provider_member"])
def test_the_list_is_refused_to_the_other_roles(role, request, client_for, pair):
    assert client_for(request.getfixturevalue(role)).get(reverse("fraud:list")).status_code == 403


def test_the_list_is_in_the_auditors_menu(client_for, auditor):
    html = client_for(auditor).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("fraud:list")}"' in html


def test_the_list_takes_as_many_queries_for_many_files(
    client_for, auditor, scheme, rhone, django_assert_max_num_queries
):
    client = client_for(auditor)
    for _ in range(2):
        ApplicationFactory(
            scheme=scheme, state=State.UNDER_REVIEW, company=CompanyFactory(departement=rhone), iban=IBAN
        )
    client.get(reverse("fraud:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("fraud:list"))
    for _ in range(8):
        ApplicationFactory(
            scheme=scheme, state=State.UNDER_REVIEW, company=CompanyFactory(departement=rhone), iban=IBAN
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("fraud:list"))
