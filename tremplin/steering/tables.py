"""The figure tables of the steering pages, drawn by one template (steering/_table.html).

Each page's module says what its table holds (`Table`: caption, column headings, rows) with the cells
written out as the page shows them; the template only lays them out, the DSFR way."""

from dataclasses import dataclass, field

from django.utils.formats import date_format, localize

from tremplin.core.formatting import euros


@dataclass
class Cell:
    text: object
    amount: bool = False  # an amount: aligned as amounts are (tn-amount)
    figure: str = ""  # the cell's data-figure name, for the tests and the browser checks


@dataclass
class Row:
    cells: list  # of Cell, or of plain values (numbers are written in the page's language)
    header: object = None  # the row's heading (its first cell, a <th>), if any
    id: str = ""

    def __post_init__(self):
        self.cells = [cell if isinstance(cell, Cell) else Cell(cell) for cell in self.cells]


@dataclass
class Table:
    caption: object
    columns: list  # the column headings, the row headings' one included
    rows: list = field(default_factory=list)
    id: str = ""
    empty: object = ""  # shown in one row when there is none


def amount(cents, figure=""):
    """An amount in cents, as the pages write it (1 500 €); – when unknown."""
    return Cell("–" if cents is None else euros(cents), amount=True, figure=figure)


def month(day):
    """A month, as the pages name it (janvier 2026)."""
    return date_format(day, "F Y")


def or_dash(value, suffix=""):
    """The value (in the page's language) with its unit, or – when there is none."""
    return "–" if value is None else f"{localize(value)}{suffix}"
