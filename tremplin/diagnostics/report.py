"""The results as a PDF report, made on demand (never stored)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from tremplin.diagnostics import results


def report_html(user, diagnostic) -> str:
    """The report's page, in the active language (the page's: the report is the reader's, not a record)."""
    data = results.build(user, diagnostic, chart_id="report-radar")
    return render_to_string(
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


def render_report(user, diagnostic) -> bytes:
    return HTML(string=report_html(user, diagnostic)).write_pdf()
