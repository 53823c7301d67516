"""The generic export: CSV for French Excel, XLSX through openpyxl, formulas neutralised, streamed."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.exports import conftest
from tests.exports.conftest import INJECTIONS
from tests.factories import CompanyFactory
from tremplin.core.exports import Column, export_response
from tremplin.registry.models import Company

# Closing a response sends `request_finished`, which looks at the database connections.
pytestmark = pytest.mark.django_db


def csv_rows(response):
    try:
        return conftest.csv_rows(response)
    finally:
        response.close()


def xlsx_rows(response):
    try:
        return conftest.xlsx_rows(response)
    finally:
        response.close()


COLUMNS = [
    Column("Désignation", "name"),
    Column("Montant", "cents", euros=True),
    Column("Le", "on"),
    Column("À", "at"),
    Column("Payé", "paid"),
    Column("Vide", lambda row: None),
]


class Row:
    def __init__(self, name, cents=123456, on=datetime.date(2026, 12, 3), paid=True):
        self.name = name
        self.cents = cents
        self.on = on
        self.at = datetime.datetime(2026, 12, 3, 9, 30, tzinfo=datetime.UTC)
        self.paid = paid


def test_csv_is_utf8_with_bom_semicolons_and_french_numbers():
    response = export_response("csv", [Row("Café élégant")], COLUMNS, "essai")
    assert response.streaming
    assert response["Content-Disposition"] == (
        f'attachment; filename="essai-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    table = csv_rows(response)
    assert table == [
        ["Désignation", "Montant", "Le", "À", "Payé", "Vide"],
        # 09:30 UTC is 10:30 in Paris in December.
        ["Café élégant", "1234,56", "03/12/2026", "03/12/2026 10:30", "oui", ""],
    ]


def test_xlsx_holds_real_numbers_and_dates():
    response = export_response("xlsx", [Row("Café élégant", cents=50000)], COLUMNS, "essai")
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response["Cache-Control"] == "no-store"
    table = xlsx_rows(response)
    assert table[0] == ["Désignation", "Montant", "Le", "À", "Payé", "Vide"]
    name, amount, on, at, paid, empty = table[1]
    assert (name, amount, paid, empty) == ("Café élégant", 500, "oui", None)
    assert Decimal(str(amount)) == Decimal("500.00")
    assert on == datetime.datetime(2026, 12, 3, 0, 0)
    assert at == datetime.datetime(2026, 12, 3, 10, 30)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised_in_both_formats(fmt):
    rows = [Row(text) for text in INJECTIONS]
    response = export_response(fmt, rows, COLUMNS, "essai")
    table = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert [row[0] for row in table[1:]] == ["'" + text for text in INJECTIONS]


def test_a_negative_amount_stays_a_number():
    (row,) = csv_rows(export_response("csv", [Row("Reversement", cents=-2500)], COLUMNS, "essai"))[1:]
    assert row[1] == "-25"
    (row,) = xlsx_rows(export_response("xlsx", [Row("Reversement", cents=-2500)], COLUMNS, "essai"))[1:]
    assert row[1] == -25


def test_control_characters_do_not_break_the_workbook():
    (row,) = xlsx_rows(export_response("xlsx", [Row("Bon\x00jour\x0b")], COLUMNS, "essai"))[1:]
    assert row[0] == "Bonjour"


def test_an_unknown_format_is_a_404(client):
    from django.http import Http404

    with pytest.raises(Http404):
        export_response("pdf", [], COLUMNS, "essai")


@pytest.mark.django_db
def test_a_long_list_is_streamed_in_chunks_from_one_query(rhone):
    Company.objects.bulk_create(CompanyFactory.build_batch(3000, departement=rhone))
    columns = [Column("SIREN", "siren"), Column("Entreprise", "display_name")]
    with CaptureQueriesContext(connection) as before:
        response = export_response("csv", Company.objects.order_by("pk"), columns, "entreprises")
    assert response.streaming
    assert len(before) == 0, "nothing is read before the file is sent"
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
        rest = list(chunks)
    assert first.startswith("\ufeffSIREN;".encode())
    assert len(rest) == 3000
    # One SELECT, read with a server-side cursor / fetchmany in chunks: the queryset is never a list.
    assert len(queries) == 1


@pytest.mark.django_db
def test_the_workbook_is_written_row_by_row_from_one_query(rhone):
    Company.objects.bulk_create(CompanyFactory.build_batch(3000, departement=rhone))
    columns = [Column("SIREN", "siren")]
    with CaptureQueriesContext(connection) as queries:
        response = export_response("xlsx", Company.objects.order_by("pk"), columns, "entreprises")
    assert response.streaming
    assert len(queries) == 1
    assert len(xlsx_rows(response)) == 3001
