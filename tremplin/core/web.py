"""What the pages of every app share: the role check, the status of a refused form, PDF downloads."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from tremplin.core.errors import ServiceError


def require_role(user, *roles, message=None):
    """Refuse the page (403) to anyone whose role is not one of `roles`."""
    if getattr(user, "role", None) not in roles:
        raise DjangoPermissionDenied(message or gettext("Cette page n'est pas accessible avec votre profil."))


def status_for(error: ServiceError, invalid=200):
    """The status of a page that shows a form again with a service's refusal on it.

    The error's own status when it says more than "invalid" (409 for a Conflict, 403 for a
    PermissionDenied); `invalid` for a plain refusal of what was typed: 200 on most pages, as for
    any form error, 400 where a page says so.
    """
    return invalid if error.status == ServiceError.status else error.status


def pdf_response(content, filename):
    """A PDF to download: the bytes of a generated document, or a stored file (a 404 if it is gone)."""
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    try:
        handle = content.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("Le fichier est introuvable.")) from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
