"""The six dimension scores as a radar chart: inline SVG drawn on the server (no script, no CDN).

The same markup is used in the page and in the PDF. The chart carries a <title> and <desc>;
the page shows the same numbers in a table for screen readers and for printing.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 560, 400
CENTRE_X, CENTRE_Y = WIDTH / 2, HEIGHT / 2
RADIUS = 130
RINGS = (25, 50, 75, 100)


def _point(index, count, value):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = RADIUS * float(value) / 100
    return CENTRE_X + distance * math.cos(angle), CENTRE_Y + distance * math.sin(angle)


def _polygon(values):
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, len(values), v) for i, v in enumerate(values)))


def radar_svg(labels, values, *, title, description, chart_id="radar", previous=None):
    """labels: six short names; values: six scores 0..100; previous: an earlier series, drawn dashed."""
    count = len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="diagnostic-radar">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for ring in RINGS:
        parts.append(
            f'<polygon points="{_polygon([ring] * count)}" fill="none" stroke="#cecece" stroke-width="1"/>'
        )
    for index in range(count):
        x, y = _point(index, count, 100)
        parts.append(
            f'<line x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#cecece" stroke-width="1"/>'
        )
    for ring in RINGS:
        x, y = _point(0, count, ring)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#666">{ring}</text>')
    if previous is not None:
        parts.append(
            f'<polygon points="{_polygon(previous)}" fill="none" stroke="#929292" stroke-width="2" '
            'stroke-dasharray="6 4"/>'
        )
    parts.append(
        f'<polygon points="{_polygon(values)}" fill="#000091" fill-opacity="0.18" stroke="#000091" stroke-width="2.5"/>'
    )
    for index, value in enumerate(values):
        x, y = _point(index, count, value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#000091"/>')
    for index, label in enumerate(labels):
        x, y = _point(index, count, 122)
        anchor = "middle" if abs(x - CENTRE_X) < 10 else ("start" if x > CENTRE_X else "end")
        parts.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" text-anchor="{anchor}" fill="#161616">'
            f"{escape(label)} ({round(float(values[index]))})</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
