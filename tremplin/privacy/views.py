"""Mes données personnelles: what the platform holds about the signed-in person, to read and download."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tremplin.core import audit
from tremplin.core.web import pdf_response
from tremplin.privacy.export import SECTIONS, personal_data, readable_sections


def mine(request):
    """The page: what is held, by kind, with the two downloads and the person's rights."""
    counts = [(section.title, section.rows(request.user).count()) for section in SECTIONS]
    return render(request, "privacy/mine.html", {"counts": counts})


def _file_name(extension):
    return f"mes-donnees-tremplin-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_POST
def download(request, kind):
    """The person's data as JSON (machine-readable) or PDF (to read); each download is audited. A POST:
    a download is an act of the person's, never a link a page could make them follow unawares."""
    if kind not in ("json", "pdf"):
        raise Http404(gettext("Format inconnu : JSON ou PDF."))
    user = request.user
    if kind == "json":
        body = json.dumps(personal_data(user), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, _file_name("json"))
    else:
        from weasyprint import HTML

        html = render_to_string(
            "privacy/export.html",
            {"person": user, "sections": list(readable_sections(user)), "generated_at": timezone.now()},
            request=request,
        )
        response = pdf_response(HTML(string=html).write_pdf(), _file_name("pdf"))
    audit.record(user, actor=user, action="personal_data_downloaded", format=kind)
    return response
