"""The decision letter of a granted voucher, as a PDF made on demand (never stored)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from tremplin.core.language import programme_language
from tremplin.core.models import AuditEvent


@programme_language
def render_decision_letter(application) -> bytes:
    """The letter as PDF bytes: an official French document, in French whatever the page's language."""
    decision = (
        AuditEvent.objects.for_object(application).filter(action="approve").select_related("actor").last()
    )
    advisor = application.assigned_advisor or (decision.actor if decision else None)
    html = render_to_string(
        "vouchers/letter.html",
        {
            "application": application,
            "company": application.company,
            # The registered address: the head office establishment (its street only when public).
            "head_office": application.company.establishments.filter(is_head_office=True).first(),
            "scheme": application.scheme,
            "advisor": advisor,
            "organisation": getattr(advisor, "organisation", None),
            "decided_on": timezone.localdate(application.decided_at) if application.decided_at else None,
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html).write_pdf()
