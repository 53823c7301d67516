"""The results as a PDF report, made on demand (never stored)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from tremplin.diagnostics import results


def render_report(user, diagnostic) -> bytes:
    data = results.build(user, diagnostic, chart_id="report-radar")
    html = render_to_string(
        "diagnostics/report.html",
        {
            "r": data,
            "diagnostic": diagnostic,
            "company": diagnostic.company,
            "level_label": results.level_label(diagnostic.level),
            "level_text": results.LEVEL_TEXT.get(diagnostic.level, ""),
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()
