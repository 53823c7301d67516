"""Geometry of the steering pages' bar charts, drawn as inline SVG by steering/_bars.html.

Integer arithmetic only: a bar's length is its value over the largest value of the chart, on BAR_LENGTH
units of the SVG's 420-unit wide view box (the label sits above its bars, the value after each bar).
"""

from dataclasses import dataclass

VIEW_WIDTH = 420
BAR_LENGTH = 330
ROW_LABEL = 18  # the label's baseline below the top of its row
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 14
# DSFR colours: blue France for the period, grey for the previous period (or the second series).
FILLS = ["#000091", "#929292", "#e1000f"]


@dataclass(frozen=True)
class Bar:
    value: object
    shown: str
    y: int
    length: int
    fill: str

    @property
    def text_x(self):
        return self.length + 6

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 2


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: int
    bars: list


@dataclass(frozen=True)
class BarChart:
    title: str
    rows: list
    height: int
    legend: list  # (label, fill)
    width: int = VIEW_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(title, rows, series, scale=None, shown=str):
    """`rows` = [(label, [value per series])]; `series` names each series (the legend); values are ints
    (counts, or days); `shown(value)` is the text after a bar."""
    top = max([v for _label, values in rows for v in values if v is not None] + [scale or 0, 1])
    out, y = [], 0
    for label, values in rows:
        bars, bar_y = [], y + ROW_LABEL + 6
        for i, value in enumerate(values):
            length = 0 if value is None else max(int(value * BAR_LENGTH // top), 1 if value else 0)
            bars.append(Bar(value, "–" if value is None else shown(value), bar_y, length, FILLS[i]))
            bar_y += BAR_HEIGHT + BAR_GAP
        out.append(BarRow(label, y + ROW_LABEL, bars))
        y = bar_y + ROW_GAP - BAR_GAP
    return BarChart(title, out, max(y, 1), list(zip(series, FILLS, strict=False)))
