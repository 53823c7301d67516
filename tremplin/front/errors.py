"""The error pages, wired in config/urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW.

Each says what happened in plain words and offers a way on, only where the person may go: their own
space for a logged-in role, the quick check and the login for a visitor. The 400 and 500 pages are
rendered without the request (no context processor, so no database, no session, no user): the
request, or the database, may be what failed.

With DEBUG on, Django shows its technical pages for 404, 400 and 500 instead: the preview view below
(`/apercu-erreur/<code>/`, answering only with DEBUG on) shows ours.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from tremplin.accounts.models import Role
from tremplin.front.views import ROLE_HOME

# The role's own space (ROLE_HOME), named as in the main menu.
ROLE_HOME_LABELS = {
    Role.OWNER: _("Mes dossiers"),
    Role.ADVISOR: _("File d'instruction"),
    Role.MANAGER: _("Paiements"),
    Role.AUDITOR: _("Dossiers"),
    Role.PROVIDER: _("Mon espace prestataire"),
}


def ways_on(user):
    """The buttons of an error page, (url, label), the first one the main: only where `user` may go."""
    home = (reverse("core:home"), gettext("Retour à l'accueil"))
    if not user.is_authenticated:
        return [
            home,
            (reverse("core:check"), gettext("Vérifier mon éligibilité")),
            (reverse("accounts:login"), gettext("Se connecter")),
        ]
    try:
        space = (reverse(ROLE_HOME[user.role]), ROLE_HOME_LABELS[user.role])
    except (KeyError, NoReverseMatch):
        return [home]
    return [space, home]


def _page(request, template_name, status, **context):
    user = getattr(request, "user", None) or AnonymousUser()
    return render(request, template_name, {"links": ways_on(user), **context}, status=status)


def _plain(template_name):
    """The page with the layout but nothing of the request: the header shows no account tools."""
    context = {
        "LANGUAGE_CODE": get_language() or settings.LANGUAGE_CODE,
        "links": [(reverse("core:home"), gettext("Retour à l'accueil"))],
    }
    return loader.get_template(template_name).render(context)


@requires_csrf_token
def permission_denied(request, exception):
    """The view's reason (`PermissionDenied("…")`, often a service's French sentence), translated
    when the catalogue has it."""
    message = str(exception) if exception is not None else ""
    return _page(request, "errors/403.html", 403, reason=gettext(message) if message else "")


@requires_csrf_token
def page_not_found(request, exception):
    return _page(request, "errors/404.html", 404)


def csrf_failure(request, reason=""):
    return _page(request, "errors/csrf.html", 403)


def bad_request(request, exception):
    return HttpResponseBadRequest(_plain("errors/400.html"))


def server_error(request):
    return HttpResponseServerError(_plain("errors/500.html"))


@login_not_required
@require_GET
def preview(request, code):
    """Our error pages while developing (DEBUG on); a 404 in production."""
    if not settings.DEBUG:
        raise Http404
    pages = {
        "400": lambda: bad_request(request, None),
        "403": lambda: permission_denied(
            request, PermissionDenied(gettext("Cette page n'est pas accessible avec votre profil."))
        ),
        "404": lambda: page_not_found(request, None),
        "500": lambda: server_error(request),
        "csrf": lambda: csrf_failure(request),
    }
    if code not in pages:
        raise Http404
    return pages[code]()
