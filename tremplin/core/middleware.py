"""Response headers every page gets: the browser features we never use, and no caching of personal pages."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

# Features a page of ours never asks for; a script injected into a page cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `no-store` on every response to a signed-in person; the CSP nonce.

    Signed-in pages hold personal data (names, files, IBANs, invoices): neither the browser's cache nor a
    shared proxy may keep them, so the back button after sign-out shows nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # django-csp makes the nonce on first use, and its lazy value reads as false until then: the
        # DSFR's `{% if self.nonce %}` would leave its scripts without one. Make it now.
        if hasattr(request, "csp_nonce"):
            str(request.csp_nonce)
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
