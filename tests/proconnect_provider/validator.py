"""What makes django-oauth-toolkit answer like ProConnect: its claims, its `acr`, its JWT userinfo."""

import json

from django.conf import settings
from jwcrypto import jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

ACR_LEVELS = ("eidas1", "eidas2", "eidas3")


def agents():
    """The agents of this provider, by username (serve.py writes them): names, SIRET, highest level."""
    return json.loads((settings.DIR / "agents.json").read_text())


def _requested_acr(request):
    asked = ((getattr(request, "claims", None) or {}).get("id_token") or {}).get("acr") or {}
    values = [asked["value"]] if asked.get("value") else list(asked.get("values") or [])
    known = [value for value in values if value in ACR_LEVELS]
    return min(known, key=ACR_LEVELS.index) if known else "eidas1"


class ProConnectLikeValidator(OAuth2Validator):
    # One scope per claim, as ProConnect has them.
    oidc_claim_scope = {
        "sub": "openid",
        "email": "email",
        "given_name": "given_name",
        "usual_name": "usual_name",
        "siret": "siret",
    }

    def get_additional_claims(self, request):
        agent = agents()["agents"][request.user.username]
        return {
            "email": request.user.email,
            "given_name": request.user.first_name,
            "usual_name": request.user.last_name,
            "siret": agent["siret"],
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        # The level reached is the one asked for, unless the agent's account cannot reach it.
        highest = agents()["agents"][request.user.username]["acr_max"]
        asked = _requested_acr(request)
        claims["acr"] = asked if ACR_LEVELS.index(asked) <= ACR_LEVELS.index(highest) else highest
        return claims, expiration

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        if request.client.client_id not in agents()["userinfo_jwt_clients"]:
            return claims
        key = request.client.jwk_key
        token = jwt.JWT(
            header={"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()},
            claims={**claims, "iss": self.get_oidc_issuer_endpoint(request), "aud": request.client.client_id},
        )
        token.make_signed_token(key)
        return token.serialize()
