"""Who attended an awareness session: company numbers typed one a line, or read from a sign-in sheet.

A sign-in sheet is a CSV file (as spreadsheets export it: `;` or `,` between cells, maybe a byte-order
mark) with a SIRET or a SIREN in its first column. Rows whose first cell is not a number (the header,
a title, a blank line) are skipped; the numbers are checked against the registry by the service.
"""

import csv
import io

from tremplin.registry.lookup import normalise

# The delimiter is guessed from the start of the file, where the header and first rows are.
SNIFF_CHARS = 500


def read_sheet(content: bytes) -> list[str]:
    """The first cell of every row of the sheet that holds a number, as written in the file."""
    text = content.decode("utf-8-sig", errors="replace")
    delimiter = ";" if ";" in text[:SNIFF_CHARS] else ","
    return [
        row[0] for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row and _is_number(row[0])
    ]


def _is_number(cell):
    number = normalise(cell)
    return bool(number) and number.isdigit()


def identifiers(typed: str = "", sheet: bytes | None = None) -> list[str]:
    """The numbers typed (one a line), then those of the sheet; blank lines dropped."""
    lines = (typed or "").splitlines()
    if sheet:
        lines += read_sheet(sheet)
    return [line for line in lines if line.strip()]
