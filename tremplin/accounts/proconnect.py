"""Agents sign in with ProConnect, the State's identity federation (OpenID Connect, docs/proconnect.md).

The client side of the authorisation code flow, with Authlib for the OAuth 2 messages (PKCE included) and
joserfc for the JSON Web Tokens:
- `authorization_url` builds the redirect: scopes `openid email given_name usual_name siret`, `state` and
  `nonce` of 43 characters kept in the session, the eIDAS level asked through the `claims` parameter
  (`acr`, essential, settings.PROCONNECT_ACR);
- `identity` checks the answer: the `state`, then the ID token (signature against the provider's published
  keys, issuer, audience, expiry, `nonce`, an `acr` at least the one asked), then userinfo, JSON or a signed
  JWT checked the same way, for the same `sub`;
- `logout_url` is ProConnect's `end_session_endpoint` with `id_token_hint`, `state` and
  `post_logout_redirect_uri`.

ProConnect only says who the person is. Which account that is, and so which role, the platform decides
(`services.proconnect_sign_in`).
"""

import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_noop
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

FLOW_SESSION_KEY = "proconnect_flow"
ID_TOKEN_SESSION_KEY = "proconnect_id_token"
LOGOUT_STATE_SESSION_KEY = "proconnect_logout_state"
ACR_LEVELS = ("eidas1", "eidas2", "eidas3")
SIGNING_ALGORITHMS = ["RS256", "ES256"]
CLOCK_LEEWAY_SECONDS = 60
METADATA_CACHE_SECONDS = 3600


class ProConnectError(Exception):
    """The sign-in cannot go on; `message` says why to the person, in French (a msgid)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


UNAVAILABLE = (
    "unavailable",
    gettext_noop("ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes."),
)
INVALID = (
    "invalid_answer",
    gettext_noop("La réponse de ProConnect n'a pas pu être vérifiée. Reprenez la connexion depuis le début."),
)


@dataclass(frozen=True)
class Identity:
    """Who ProConnect says the person is, once every check passed."""

    sub: str
    email: str
    given_name: str
    usual_name: str
    siret: str
    acr: str
    id_token: str


def enabled():
    return bool(settings.PROCONNECT_DOMAIN and settings.PROCONNECT_CLIENT_ID)


def _get_json(url):
    try:
        response = requests.get(url, timeout=settings.PROCONNECT_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProConnectError(*UNAVAILABLE) from error


def metadata(*, refresh=False):
    """The provider's discovery document (cached an hour)."""
    key = f"proconnect:metadata:{settings.PROCONNECT_DOMAIN}"
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(settings.PROCONNECT_DOMAIN + settings.PROCONNECT_DISCOVERY_PATH)
        needed = {"issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"}
        if not isinstance(document, dict) or not needed <= document.keys():
            raise ProConnectError(*UNAVAILABLE)
        cache.set(key, document, METADATA_CACHE_SECONDS)
    return document


def _keys(document, *, refresh=False):
    key = f"proconnect:jwks:{document['jwks_uri']}"
    keys = None if refresh else cache.get(key)
    if keys is None:
        keys = _get_json(document["jwks_uri"])
        cache.set(key, keys, METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(keys)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ProConnectError(*INVALID) from error


def _absolute(name):
    return settings.SITE_ROOT.rstrip("/") + reverse(name)


def _client(document):
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return OAuth2Session(
        client_id=settings.PROCONNECT_CLIENT_ID,
        client_secret=settings.PROCONNECT_CLIENT_SECRET,
        scope=settings.PROCONNECT_SCOPES,
        redirect_uri=_absolute("accounts:proconnect_callback"),
        code_challenge_method="S256",
        token_endpoint_auth_method=(
            "client_secret_post" if "client_secret_post" in methods else "client_secret_basic"
        ),
    )


def requested_claims():
    return {"id_token": {"acr": {"essential": True, "value": settings.PROCONNECT_ACR}}}


def authorization_url(request, next_url=""):
    """Where to send the browser to sign in; remembers the flow's secrets in the session."""
    document = metadata()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), generate_token(64)
    with _client(document) as client:
        url, _ = client.create_authorization_url(
            document["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            claims=json.dumps(requested_claims(), separators=(",", ":")),
        )
    request.session[FLOW_SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "acr": settings.PROCONNECT_ACR,
        "next": next_url,
    }
    return url


def _decode(token, document, claims_expected):
    """A JWT signed with one of the provider's keys, with `claims_expected` checked (joserfc registry)."""
    for refresh in (False, True):  # a key unknown to the cached set: the provider may have rotated them
        try:
            decoded = jwt.decode(token, _keys(document, refresh=refresh), algorithms=SIGNING_ALGORITHMS)
            break
        except JoseError as error:
            if refresh:
                raise ProConnectError(*INVALID) from error
        except (ValueError, TypeError) as error:
            raise ProConnectError(*INVALID) from error
    registry = jwt.JWTClaimsRegistry(leeway=CLOCK_LEEWAY_SECONDS, **claims_expected)
    try:
        registry.validate(decoded.claims)
    except JoseError as error:
        raise ProConnectError(*INVALID) from error
    return decoded.claims


def _level(acr):
    return ACR_LEVELS.index(acr) if acr in ACR_LEVELS else -1


def identity(request):
    """Check ProConnect's answer on the callback (request.GET) and return who signed in."""
    flow = request.session.pop(FLOW_SESSION_KEY, None)
    if request.GET.get("error"):
        raise ProConnectError(
            "refused", gettext_noop("La connexion avec ProConnect a été annulée ou refusée.")
        )
    state = request.GET.get("state", "")
    if not flow or not state or not secrets.compare_digest(state, flow["state"]):
        raise ProConnectError(
            "state",
            gettext_noop(
                "Cette connexion a expiré ou ne vient pas de ce navigateur. Reprenez-la depuis le début."
            ),
        )
    code = request.GET.get("code", "")
    if not code:
        raise ProConnectError(*INVALID)

    document = metadata()
    try:
        with _client(document) as client:
            token = client.fetch_token(
                document["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=flow["verifier"],
                timeout=settings.PROCONNECT_TIMEOUT,
            )
    except OAuthError as error:
        raise ProConnectError(*INVALID) from error
    except requests.RequestException as error:
        raise ProConnectError(*UNAVAILABLE) from error
    if not token.get("id_token") or not token.get("access_token"):
        raise ProConnectError(*INVALID)

    audience = {"essential": True, "value": settings.PROCONNECT_CLIENT_ID}
    issuer = {"essential": True, "value": document["issuer"]}
    claims = _decode(
        token["id_token"],
        document,
        {
            "iss": issuer,
            "aud": audience,
            "exp": {"essential": True},
            "sub": {"essential": True},
            "nonce": {"essential": True, "value": flow["nonce"]},
            "acr": {"essential": True},
        },
    )
    if _level(claims["acr"]) < _level(flow["acr"]):
        raise ProConnectError(
            "acr",
            gettext_noop(
                "Votre compte ProConnect n'a pas le niveau de garantie demandé pour cet espace. "
                "Connectez-vous avec un autre moyen d'identification."
            ),
        )

    info = _userinfo(document, token["access_token"], issuer, audience)
    if info.get("sub") != claims["sub"] or not info.get("email"):
        raise ProConnectError(*INVALID)
    return Identity(
        sub=str(claims["sub"]),
        email=str(info["email"]).strip(),
        given_name=str(info.get("given_name") or ""),
        usual_name=str(info.get("usual_name") or ""),
        siret=str(info.get("siret") or ""),
        acr=claims["acr"],
        id_token=token["id_token"],
    )


def _userinfo(document, access_token, issuer, audience):
    """ProConnect answers userinfo as a signed JWT (application/jwt); plain JSON is read too."""
    try:
        response = requests.get(
            document["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.PROCONNECT_TIMEOUT,
        )
        response.raise_for_status()
    except requests.RequestException as error:
        raise ProConnectError(*UNAVAILABLE) from error
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        return _decode(response.text.strip(), document, {"iss": issuer, "aud": audience})
    try:
        info = response.json()
    except ValueError as error:
        raise ProConnectError(*INVALID) from error
    if not isinstance(info, dict):
        raise ProConnectError(*INVALID)
    return info


def logout_url(request, id_token):
    """ProConnect's end of session for `id_token`, coming back to the platform with a new `state`.

    Call after the platform's own logout (the session is new): the state is kept in it. Returns "" when
    the provider publishes no end of session or cannot be reached: the person is signed out of the
    platform anyway."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except ProConnectError:
        return ""
    if not endpoint:
        return ""
    state = secrets.token_urlsafe(32)
    request.session[LOGOUT_STATE_SESSION_KEY] = state
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": _absolute("accounts:proconnect_logout_done"),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
