"""Lists to download: the rows a page's filters select, over all its pages, as CSV or Excel.

One list = its scoped and filtered queryset (the page's own) and its columns (French header, accessor).
- CSV: UTF-8 with a byte-order mark (so that Excel reads the accents), `;` between cells (what Excel
  expects under French regional settings, where the comma is the decimal separator), amounts with a
  decimal comma, dates as 03/12/2026. Truly streamed: rows are read in chunks while the file is sent.
- Excel (XLSX, openpyxl in write-only mode): each row goes to a temporary file on disk as it is read, the
  finished file is then sent in chunks; memory stays flat whatever the length of the list. Amounts and
  dates are real numbers and dates of the spreadsheet.
Every text cell goes through `spreadsheet_safe`: a cell typed as `=HYPERLINK(...)` stays text.
Files are private to the person who asked (`Cache-Control: no-store`): they hold personal data.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tremplin.core.formatting import spreadsheet_safe

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
EUROS_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


@dataclass(frozen=True)
class Column:
    """One column: its header (French msgid) and how to read its value from a row.

    `value` is a dotted attribute path ("company.siren") or a function of the row; `euros=True` says
    the value is an amount in integer cents.
    """

    header: str
    value: str | Callable
    euros: bool = False

    def read(self, row):
        if callable(self.value):
            return self.value(row)
        try:
            return attrgetter(self.value)(row)
        except AttributeError:  # a missing related object (no provider yet, no département)
            return None


def _plain(value, column):
    """A value as the exports carry it: text for text, a Decimal for euros, local time for a moment."""
    if value is None:
        return None
    if isinstance(value, Promise):
        value = str(value)
    if column.euros:
        return Decimal(int(value)) / 100
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | Decimal | datetime.date):
        return value
    return spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") if value != value.to_integral() else f"{value:.0f}"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class _Line:
    """The file-like object csv.writer writes one line to: the line is returned, not kept."""

    def write(self, text):
        return text


def _rows(rows):
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return rows


def csv_lines(rows: Iterable, columns: list[Column]):
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([spreadsheet_safe(str(c.header)) for c in columns])
    for row in _rows(rows):
        yield writer.writerow([_csv_text(_plain(c.read(row), c)) for c in columns])


def _xlsx_cell(sheet, value, column):
    if column.euros and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = EUROS_FORMAT
        return cell
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def xlsx_file(rows: Iterable, columns: list[Column], title: str):
    """The workbook in a temporary file (deleted when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=spreadsheet_safe(title)[:31])
    sheet.freeze_panes = "A2"
    sheet.append([spreadsheet_safe(str(c.header)) for c in columns])
    for row in _rows(rows):
        sheet.append([_xlsx_cell(sheet, _plain(c.read(row), c), c) for c in columns])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_response(fmt, rows, columns, name, title=None):
    """The download of `rows` (a queryset, read in chunks, or any iterable) as `fmt` ("csv" or "xlsx").

    `name` starts the file name, which ends with today's date: `dossiers-2026-12-03.csv`. A 404 for
    any other format.
    """
    if fmt not in FORMATS:
        raise Http404(gettext("Ce format d'export n'existe pas."))
    columns = list(columns)
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        language = translation.get_language()

        def lines():
            # The lines are made while the response is sent, after the view has returned.
            with translation.override(language):
                yield from csv_lines(rows, columns)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(xlsx_file(rows, columns, title or name), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
