"""A real OpenID Connect provider shaped like ProConnect, for the tests (django-oauth-toolkit, own process).

`serve.py` starts it on a free loopback port with its own settings and database; `fixture.py` gives the
tests a running instance. It serves what the platform's client meets at ProConnect: discovery at
`/api/v2/.well-known/openid-configuration`, the authorisation code flow with PKCE, the `acr` asked through
the `claims` parameter, the per-claim scopes (`email`, `given_name`, `usual_name`, `siret`), userinfo as a
signed JWT for the clients that ask for it, and RP-initiated logout with `id_token_hint`, `state` and
`post_logout_redirect_uri`.
"""
