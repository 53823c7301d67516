"""What the pages of every app share: the role check, the status of a refused form, documents and downloads."""

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import FileField
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from tremplin.core.errors import ServiceError
from tremplin.core.validators import sniff_content_type


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


def pdf_response(content: bytes, filename):
    """A generated PDF (a letter, a report) to download under `filename`."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def document_response(stored, filename):
    """An uploaded document, once its reader's access is checked: a PDF, PNG or JPEG opens in the browser
    (inline, with the type its content shows, never guessed by the browser); anything else is downloaded.
    A 404 when the file is gone."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("Le fichier est introuvable.")) from None
    content_type = sniff_content_type(handle.read(16))
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=content_type is None,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_file(request, name):
    """A stored file's address (what `FieldFile.url` gives, e.g. in the back office): sends to the page
    of the object it belongs to (`document_url(field)`), which checks access and serves it. Nothing is
    served here; signed-in people only (LoginRequiredMiddleware)."""
    for model in apps.get_models():
        document_url = getattr(model, "document_url", None)
        if document_url is None:
            continue
        for field in model._meta.fields:
            if isinstance(field, FileField):
                found = model._default_manager.filter(**{field.name: name}).first()
                url = found.document_url(field.name) if found else None
                if url:
                    return redirect(url)
    raise Http404(gettext("Document introuvable."))
