"""The statement an applicant prints and signs when the register cannot confirm their right to act."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from tremplin.authority.models import Capacity
from tremplin.core.language import programme_language


@programme_language
def render_statement(representation) -> bytes:
    """A French statement filled with the declaration, as PDF bytes (made on demand, never stored)."""
    html = render_to_string(
        "authority/statement.html",
        {
            "rep": representation,
            "company": representation.company,
            "for_representative": representation.capacity == Capacity.REPRESENTATIVE,
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()
