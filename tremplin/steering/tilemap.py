"""The tile-grid map of France: one square per département, drawn as inline SVG by the template.

Positions come from data/reference/departements_tilegrid.csv (its method is in data/README.md);
overseas départements sit on a row of their own below the mainland, as insets.
"""

import csv
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tremplin.steering.reach import NO_DATA, PALETTE, class_bounds, class_of

GRID = Path(settings.BASE_DIR) / "data" / "reference" / "departements_tilegrid.csv"
CELL = 40  # a square's side, in SVG units
GAP = 3
OVERSEAS_ROW = 13


@cache
def positions():
    """{code: (column, row)} of every département."""
    with GRID.open(newline="", encoding="utf-8") as f:
        return {row["code"]: (int(row["column"]), int(row["row"])) for row in csv.DictReader(f)}


def _figure(row, measure):
    value = row.rate_of(measure)
    if value is None:
        return _("%(name)s (%(code)s) : aucune entreprise éligible") % {"name": row.name, "code": row.code}
    count = row.beneficiaries if measure == "beneficiaries" else row.reached
    return _(
        "%(name)s (%(code)s) : %(rate)s pour 1 000 entreprises éligibles (%(count)s sur %(eligible)s)"
    ) % {
        "name": row.name,
        "code": row.code,
        "rate": number_format(value, 1),
        "count": number_format(count, force_grouping=True),
        "eligible": number_format(row.eligible, force_grouping=True),
    }


def tile_map(rows, measure):
    """The squares of `rows`' départements, the legend and the drawing's size (its box fits the squares)."""
    bounds = class_bounds(rows, measure)
    grid = positions()
    placed = [(row, grid[row.code]) for row in rows if row.code in grid]
    if not placed:
        return None
    columns = [c for _row, (c, _r) in placed]
    lines = [r for _row, (_c, r) in placed]
    left, top = min(columns), min(lines)
    step = CELL + GAP
    tiles = []
    for row, (column, line) in placed:
        value = row.rate_of(measure)
        fill, text = PALETTE[class_of(value, bounds)] if value is not None else NO_DATA
        tiles.append(
            {
                "code": row.code,
                "x": (column - left) * step,
                "y": (line - top) * step,
                "fill": fill,
                "text": text,
                "no_data": value is None,
                "title": _figure(row, measure),
            }
        )
    overseas = [t for t, (_row, (_c, line)) in zip(tiles, placed, strict=True) if line == OVERSEAS_ROW]
    legend = []
    if bounds:
        for i, (low, high) in enumerate(bounds):
            legend.append({"fill": PALETTE[i][0], "low": low, "high": high, "last": i == len(bounds) - 1})
    return {
        "tiles": tiles,
        "width": (max(columns) - left + 1) * step - GAP,
        "height": (max(lines) - top + 1) * step - GAP,
        "cell": CELL,
        "half": CELL // 2,
        # The overseas label sits in the empty row above their squares, when the mainland shows too.
        "overseas_label_y": overseas[0]["y"] - GAP - 6 if overseas and len(overseas) < len(tiles) else None,
        "legend": legend,
        "no_data": NO_DATA[0],
        "any_no_data": any(t["no_data"] for t in tiles),
    }
