"""Signing in and out with ProConnect (accounts.proconnect): thin views over the client and the service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tremplin.accounts import proconnect, services
from tremplin.accounts.second_factor import IDENTITY_PROVIDER_ACR_SESSION_KEY


def _safe_next(request, url):
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


@login_not_required
@require_POST
def start(request):
    """The "S'identifier avec ProConnect" button: off to ProConnect with the flow's secrets kept."""
    if not proconnect.enabled():
        raise Http404
    try:
        url = proconnect.authorization_url(request, _safe_next(request, request.POST.get("next", "")))
    except proconnect.ProConnectError as error:
        messages.error(request, _(error.message))
        return redirect("accounts:login")
    return redirect(url)


@login_not_required
@require_GET
def callback(request):
    """ProConnect sends the browser back here with a code: check everything, then open the session."""
    if not proconnect.enabled():
        raise Http404
    next_url = (request.session.get(proconnect.FLOW_SESSION_KEY) or {}).get("next", "")
    try:
        identity = proconnect.identity(request)
        user = services.proconnect_sign_in(identity)
    except proconnect.ProConnectError as error:
        messages.error(request, _(error.message))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # The level ProConnect reached: eIDAS substantial or high stands for the second factor (second_factor).
    request.session[IDENTITY_PROVIDER_ACR_SESSION_KEY] = identity.acr
    request.session[proconnect.ID_TOKEN_SESSION_KEY] = identity.id_token
    return redirect(_safe_next(request, next_url) or resolve_url(settings.LOGIN_REDIRECT_URL))


@login_not_required
@require_GET
def logout_done(request):
    """Back from ProConnect's end of session."""
    expected = request.session.pop(proconnect.LOGOUT_STATE_SESSION_KEY, "")
    if expected and request.GET.get("state") == expected:
        messages.info(request, _("Vous êtes déconnecté de Tremplin Numérique et de ProConnect. À bientôt !"))
    return redirect("core:home")
