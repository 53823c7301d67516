"""Advisors, managers and auditors reach no page before their second factor (settings.SECOND_FACTOR_ROLES)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from tremplin.accounts import second_factor

# Names of the pages an unverified person may still open (sign out, the second-factor pages).
OPEN_URL_NAMES = (
    "accounts:logout",
    "accounts:second_factor_enrol",
    "accounts:second_factor_codes",
    "accounts:second_factor_verify",
)


class SecondFactorMiddleware:
    """After AuthenticationMiddleware and django_otp's OTPMiddleware.

    API calls with a bearer token carry no session: their user is set by the API's own authentication,
    after this middleware, and they are unaffected. A session call to the API answers 403 in JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in OPEN_URL_NAMES)
        return self._open_paths

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and second_factor.required_for(user)
            and not second_factor.is_verified(request)
            and not self._is_open(request.path_info)
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    def _is_open(self, path):
        static = settings.STATIC_URL or "/static/"
        if not static.startswith("/"):
            static = "/" + static
        return path in self.open_paths() or path.startswith(static) or path.startswith("/i18n/")

    def _refuse(self, request, user):
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": "Double authentification requise : validez votre code sur le site."}, status=403
            )
        name = (
            "accounts:second_factor_verify"
            if second_factor.confirmed_device(user)
            else "accounts:second_factor_enrol"
        )
        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
