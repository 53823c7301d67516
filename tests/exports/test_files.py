"""Exports of the files list, the claims of that list and the advisor's queue."""

import pytest
from django.urls import reverse

from tests.exports.conftest import INJECTIONS, column, fetch, rows
from tests.factories import ApplicationFactory, CompanyFactory, pdf_file
from tremplin.vouchers import services
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def submitted(draft):
    return services.submit(draft.owner, draft)


@pytest.fixture
def claimed(submitted, advisor):
    approved = services.approve(advisor, services.start_review(advisor, submitted), "Complet.")
    services.submit_claim(approved.owner, approved, pdf_file("facture.pdf"), pdf_file("releve.pdf"), 50000)
    approved.refresh_from_db()
    return approved


@pytest.fixture
def parisian(scheme, paris, other_owner):
    """A file of another territory (Paris), which the Rhône's advisor never sees."""
    return ApplicationFactory(
        scheme=scheme,
        owner=other_owner,
        company=CompanyFactory(departement=paris, denomination="Atelier Parisien"),
        state=State.SUBMITTED,
        amount_cents=150000,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_files_list_exports_every_file_with_french_headers(export, manager, submitted, parisian, fmt):
    table = rows(export(manager, "vouchers:list_export", fmt), fmt)
    assert table[0][:7] == [
        "Dossier",
        "Entreprise",
        "SIREN",
        "Département",
        "Dispositif",
        "État",
        "Montant du chèque",
    ]
    assert sorted(column(table, "Dossier")) == sorted([submitted.reference, parisian.reference])
    by_reference = {row[0]: row for row in table[1:]}
    row = by_reference[submitted.reference]
    assert row[2] == submitted.company.siren
    assert row[3] == "69"
    assert row[5] == submitted.get_state_display()
    amount = submitted.amount_cents / 100
    assert row[6] == (f"{amount:.0f}" if fmt == "csv" else amount)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_advisor_exports_only_the_files_of_her_territory(export, advisor, submitted, parisian, fmt):
    table = rows(export(advisor, "vouchers:list_export", fmt), fmt)
    assert column(table, "Dossier") == [submitted.reference]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_owner_exports_only_her_files(export, owner, submitted, parisian, fmt):
    table = rows(export(owner, "vouchers:list_export", fmt), fmt)
    assert column(table, "Dossier") == [submitted.reference]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_follows_the_page_filter_over_all_pages(export, manager, scheme, rhone, submitted, fmt):
    more = [
        ApplicationFactory(scheme=scheme, company=CompanyFactory(departement=rhone), state=State.SUBMITTED)
        for _ in range(30)
    ]
    ApplicationFactory(scheme=scheme, company=CompanyFactory(departement=rhone), state=State.REJECTED)
    table = rows(export(manager, "vouchers:list_export", fmt, query="state=submitted&page=2"), fmt)
    assert sorted(column(table, "Dossier")) == sorted([a.reference for a in [submitted, *more]])


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_bank_data_in_the_files_export(export, manager, submitted, fmt):
    table = rows(export(manager, "vouchers:list_export", fmt), fmt)
    flat = " ".join(str(cell) for row in table for cell in row)
    assert submitted.iban not in flat
    assert "IBAN" not in table[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_formulas_typed_in_a_company_name_are_neutralised(export, manager, scheme, rhone, fmt):
    for text in INJECTIONS:
        ApplicationFactory(
            scheme=scheme, company=CompanyFactory(departement=rhone, denomination=text), state=State.SUBMITTED
        )
    table = rows(export(manager, "vouchers:list_export", fmt), fmt)
    assert sorted(column(table, "Entreprise")) == sorted("'" + text for text in INJECTIONS)


def test_an_unknown_format_is_not_found(client_for, manager):
    assert client_for(manager).get(reverse("vouchers:list_export", kwargs={"fmt": "pdf"})).status_code == 404


def test_the_list_page_links_to_both_exports_with_its_filter(client_for, manager, submitted):
    page = client_for(manager).get(reverse("vouchers:list") + "?state=submitted&page=1").content.decode()
    for name in ("list_export", "claims_export"):
        for fmt in FORMATS:
            assert f'href="{reverse("vouchers:" + name, kwargs={"fmt": fmt})}?state=submitted"' in page
    assert "Exporter (CSV)" in page
    assert "Exporter (Excel)" in page
    assert "Exporter les paiements demandés (Excel)" in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_claims_export_lists_the_claims_of_the_selected_files(export, manager, claimed, parisian, fmt):
    table = rows(export(manager, "vouchers:claims_export", fmt), fmt)
    assert table[0][:5] == ["Dossier", "Entreprise", "SIREN", "Dispositif", "État du dossier"]
    assert column(table, "Dossier") == [claimed.reference]
    spend = column(table, "Montant facturé HT")[0]
    assert spend == ("500" if fmt == "csv" else 500)
    assert column(table, "Montant à payer")[0] == (
        f"{claimed.claim.payable_cents / 100:.0f}" if fmt == "csv" else claimed.claim.payable_cents / 100
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_claims_export_is_scoped_like_the_list(export, other_advisor, provider_member, claimed, fmt):
    assert rows(export(other_advisor, "vouchers:claims_export", fmt), fmt)[1:] == []
    assert rows(export(provider_member, "vouchers:claims_export", fmt), fmt)[1:] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_queue_export_follows_the_tab_and_the_territory(export, advisor, submitted, parisian, fmt):
    table = rows(export(advisor, "vouchers:queue_export", fmt, query="tab=organisation"), fmt)
    assert table[0][:4] == ["Dossier", "Entreprise", "SIREN", "Département"]
    assert column(table, "Dossier") == [submitted.reference]
    assert column(table, "Département") == ["Rhône"]
    assert column(table, "Ancienneté (jours)") == (["0"] if fmt == "csv" else [0])
    table = rows(export(advisor, "vouchers:queue_export", fmt, query="tab=mine"), fmt)
    assert table[1:] == []


def test_the_queue_export_is_for_advisors(client_for, manager, owner):
    url = reverse("vouchers:queue_export", kwargs={"fmt": "csv"})
    assert client_for(manager).get(url).status_code == 403
    assert client_for(owner).get(url).status_code == 403


def test_the_queue_page_links_to_its_exports(client_for, advisor, submitted):
    page = client_for(advisor).get(reverse("vouchers:queue") + "?tab=organisation").content.decode()
    assert f'href="{reverse("vouchers:queue_export", kwargs={"fmt": "xlsx"})}?tab=organisation"' in page


def _queries(client, url_name, fmt, query=""):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        rows(fetch(client, url_name, fmt, query), fmt)
    return len(queries)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_files_exports_read_as_many_queries_for_many_rows_as_for_few(
    client_for, advisor, scheme, rhone, fmt
):
    def add(n):
        for _ in range(n):
            ApplicationFactory(
                scheme=scheme, company=CompanyFactory(departement=rhone), state=State.SUBMITTED
            )

    client = client_for(advisor)
    add(2)
    few = [_queries(client, name, fmt) for name in ("vouchers:list_export", "vouchers:queue_export")]
    add(20)
    assert [_queries(client, name, fmt) for name in ("vouchers:list_export", "vouchers:queue_export")] == few
