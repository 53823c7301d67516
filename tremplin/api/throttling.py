"""The API's rate limits (ninja's throttles, in the default cache): per token, per address without one.

The rates are read from settings.API_RATE_LIMITS at each call ("600/m"), so a deployment or a test
changes them without rebuilding the API. Over the rate: 429 in the API's JSON error shape
(tremplin.api.errors) with Retry-After, which ninja sets from the throttle's wait.
"""

from django.conf import settings
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle


class _FromSettings:
    setting_key = ""

    def allow_request(self, request):
        self.rate = settings.API_RATE_LIMITS[self.setting_key]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class TokenRateThrottle(_FromSettings, SimpleRateThrottle):
    """Each token its own allowance (TokenAuth puts the token's id on the request)."""

    setting_key = "token"
    scope = "token"

    def get_cache_key(self, request):
        token_id = getattr(request, "api_token_id", None)
        if token_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token_id}


class AddressRateThrottle(_FromSettings, AnonRateThrottle):
    """The operations open without a token (the provider directory), per address."""

    setting_key = "anonymous"
    scope = "anonymous"


def throttles():
    return [
        TokenRateThrottle(settings.API_RATE_LIMITS["token"]),
        AddressRateThrottle(settings.API_RATE_LIMITS["anonymous"]),
    ]
