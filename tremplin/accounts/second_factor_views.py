"""The second-factor pages: enrolment, verification after the password, the account's security page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tremplin.accounts import second_factor
from tremplin.core.errors import ServiceError
from tremplin.core.forms import DsfrForm

CODES_SESSION_KEY = "second_factor_new_codes"


class CodeForm(DsfrForm):
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class VerifyForm(CodeForm):
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres ou code de secours"),
        help_text=gettext_lazy("Le code affiché par votre application, ou l'un de vos codes de secours."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


def _error(form, error):
    form.add_error("code" if error.field == "code" else None, _(error.msgid))


@require_http_methods(["GET", "POST"])
def enrol(request):
    if not second_factor.required_for(request.user):
        return redirect("accounts:security")
    if second_factor.confirmed_device(request.user) and not request.session.get(CODES_SESSION_KEY):
        return redirect("accounts:second_factor_verify" if not second_factor.is_verified(request) else "/")
    device = second_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrol(request, device, form.cleaned_data["code"])
        except ServiceError as error:
            _error(form, error)
        else:
            request.session[CODES_SESSION_KEY] = codes
            return redirect(reverse("accounts:second_factor_codes") + "?next=" + _next(request))
    return render(
        request,
        "accounts/second_factor/enrol.html",
        {
            "form": form,
            "qr": second_factor.qr_data_uri(device),
            "key": second_factor.grouped_key(device),
            "next": _next(request),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def codes(request):
    """The new recovery codes, shown once."""
    new_codes = request.session.pop(CODES_SESSION_KEY, None)
    if not new_codes:
        return redirect("accounts:security")
    return render(request, "accounts/second_factor/codes.html", {"codes": new_codes, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def verify(request):
    if second_factor.confirmed_device(request.user) is None:
        return redirect("accounts:second_factor_enrol")
    if second_factor.is_verified(request):
        return redirect(_next(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(request, form.cleaned_data["code"])
        except ServiceError as error:
            _error(form, error)
        else:
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(
                    request,
                    _("Code de secours utilisé. Il vous en reste %(count)s.")
                    % {"count": second_factor.remaining_recovery_codes(request.user)},
                )
            return redirect(_next(request))
    status = 400 if form.errors else 200
    return render(
        request, "accounts/second_factor/verify.html", {"form": form, "next": _next(request)}, status=status
    )


@require_http_methods(["GET", "POST"])
def security(request):
    if not second_factor.required_for(request.user):
        return render(request, "accounts/second_factor/security.html", {"required": False})
    regenerate_form = CodeForm(
        request.POST if request.POST.get("action") == "regenerate" else None, prefix="r"
    )
    reset_form = CodeForm(request.POST if request.POST.get("action") == "reset" else None, prefix="d")
    if request.method == "POST":
        action = request.POST.get("action")
        form = regenerate_form if action == "regenerate" else reset_form
        if form.is_valid():
            try:
                if action == "regenerate":
                    request.session[CODES_SESSION_KEY] = second_factor.regenerate_recovery_codes(
                        request, form.cleaned_data["code"]
                    )
                    return redirect("accounts:second_factor_codes")
                second_factor.reset_device(request, form.cleaned_data["code"])
                messages.info(
                    request, _("Votre double authentification est réinitialisée. Associez une application.")
                )
                return redirect("accounts:second_factor_enrol")
            except ServiceError as error:
                _error(form, error)
    return render(
        request,
        "accounts/second_factor/security.html",
        {
            "required": True,
            "remaining": second_factor.remaining_recovery_codes(request.user),
            "regenerate_form": regenerate_form,
            "reset_form": reset_form,
        },
        status=400 if (regenerate_form.errors or reset_form.errors) else 200,
    )
