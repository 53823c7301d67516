"""Exports of the advisor network: an advisor's requests, the national queue, the action log."""

from datetime import date

import pytest
from django.urls import reverse

from tests.exports.conftest import INJECTIONS, column, fetch, rows
from tests.factories import CompanyFactory, luhn_complete
from tremplin.network import services

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def logged(advisor, other_advisor, rhone, loire):
    """Actions of the advisor (CCI Lyon) and of another organisation's advisor (CCI Loire)."""
    mine = CompanyFactory(departement=rhone, denomination="Boulangerie du Rhône")
    theirs = CompanyFactory(departement=loire, denomination="Forge de la Loire")
    services.record_coaching_session(advisor, company=mine, on=date(2026, 1, 15), hours="1,5", topic="Site")
    services.log_action("diagnostic", other_advisor, theirs, date(2026, 2, 3))
    return mine, theirs


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_advisor_exports_her_requests_with_the_page_filter(client_for, advisor, match, fmt):
    client = client_for(advisor)
    table = rows(fetch(client, "network:matches_export", fmt), fmt)
    assert table[0] == ["Demande", "Reçue le", "Entreprise", "SIRET", "Thème", "État", "Mise à jour le"]
    assert column(table, "Demande") == [match.request.reference]
    assert column(table, "Thème") == ["Site internet"]
    assert "a@example.fr" not in str(table)
    table = rows(fetch(client, "network:matches_export", fmt, query="etat=done"), fmt)
    assert table[1:] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_territory_advisor_exports_none_of_them(client_for, other_advisor, match, fmt):
    assert rows(fetch(client_for(other_advisor), "network:matches_export", fmt), fmt)[1:] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_action_log_of_an_advisor_is_her_organisation_s(client_for, advisor, logged, fmt):
    table = rows(fetch(client_for(advisor), "network:actions_export", fmt), fmt)
    assert table[0][:5] == ["Date", "Type", "Conseiller", "Organisation", "Entreprise"]
    assert column(table, "Entreprise") == ["Boulangerie du Rhône"]
    assert column(table, "Type") == ["Accompagnement"]
    assert column(table, "Intitulé") == ["Site"]
    assert column(table, "Durée (heures)") == (["1,50"] if fmt == "csv" else [1.5])
    assert column(table, "Date") == (["15/01/2026"] if fmt == "csv" else [column(table, "Date")[0]])


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_programme_exports_the_whole_action_log(client_for, manager, auditor, logged, fmt):
    for user in (manager, auditor):
        table = rows(fetch(client_for(user), "network:actions_export", fmt), fmt)
        assert sorted(column(table, "Entreprise")) == ["Boulangerie du Rhône", "Forge de la Loire"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_formulas_in_an_action_are_neutralised(client_for, advisor, rhone, fmt):
    company = CompanyFactory(departement=rhone)
    for text in INJECTIONS:
        services.record_coaching_session(
            advisor, company=company, on=date(2026, 1, 15), hours="1", topic=text
        )
    table = rows(fetch(client_for(advisor), "network:actions_export", fmt), fmt)
    assert sorted(column(table, "Intitulé")) == sorted("'" + text for text in INJECTIONS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_national_queue_exports_the_requests_nobody_holds(client_for, manager, website, paris, fmt):
    company = CompanyFactory(departement=paris)
    request = services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="b@example.fr",
        theme_code=website.code,
        description="x",
    ).request
    table = rows(fetch(client_for(manager), "network:national_queue_export", fmt), fmt)
    assert table[0] == ["Demande", "Reçue le", "SIRET", "Thème", "Département", "Conseillers ayant décliné"]
    assert column(table, "Demande") == [request.reference]
    assert column(table, "Conseillers ayant décliné") == (["0"] if fmt == "csv" else [0])


def test_network_exports_are_refused_outside_their_roles(client_for, owner, provider_member, advisor):
    for user in (owner, provider_member):
        for name in ("network:matches_export", "network:actions_export", "network:national_queue_export"):
            assert client_for(user).get(reverse(name, kwargs={"fmt": "csv"})).status_code == 403
    assert (
        client_for(advisor).get(reverse("network:national_queue_export", kwargs={"fmt": "csv"})).status_code
        == 403
    )


def test_the_dashboard_links_to_the_exports(client_for, advisor, manager, match):
    page = client_for(advisor).get(reverse("network:dashboard") + "?etat=pending").content.decode()
    assert f'href="{reverse("network:matches_export", kwargs={"fmt": "csv"})}?etat=pending"' in page
    assert "Exporter le journal des actions (Excel)" in page
    page = client_for(manager).get(reverse("network:dashboard")).content.decode()
    assert reverse("network:actions_export", kwargs={"fmt": "xlsx"}) in page
    assert reverse("network:matches_export", kwargs={"fmt": "xlsx"}) not in page


def test_the_action_log_export_reads_a_constant_number_of_queries(client_for, advisor, rhone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(advisor)

    def count(n):
        for i in range(n):
            company = CompanyFactory(departement=rhone)
            services.record_coaching_session(
                advisor, company=company, on=date(2026, 1, 1), hours="1", topic=f"S{i}"
            )
        with CaptureQueriesContext(connection) as queries:
            rows(fetch(client, "network:actions_export", "xlsx"), "xlsx")
        return len(queries)

    assert count(2) == count(10)
