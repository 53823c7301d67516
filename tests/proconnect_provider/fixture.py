"""`proconnect_provider`: the local OpenID Connect provider (serve.py) running for the test session.

Its clients: `tremplin` (userinfo as a signed JWT, as ProConnect answers) and `tremplin-json` (userinfo as
JSON), both allowed to come back to http://testserver and to the live server on 127.0.0.1 (any port:
django-oauth-toolkit follows RFC 8252 for loopback addresses). Its agents are in `AGENTS`.
"""

import json
import os
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT_SECRET = "secret-du-client-de-test-1234567890"
PASSWORD = "mot-de-passe-chez-le-fournisseur"
AGENTS = {
    # An advisor whose account stops at eIDAS 1 (password at their chamber's identity provider).
    "advisor": {
        "email": "camille.durand@cci-lyon.example",
        "given_name": "Camille",
        "usual_name": "Durand",
        "siret": "13002526500013",
        "acr_max": "eidas1",
    },
    # A manager whose provider reaches eIDAS 2 (a second factor there).
    "manager": {
        "email": "dominique.leroy@numerique.gouv.example",
        "given_name": "Dominique",
        "usual_name": "Leroy",
        "siret": "13002526500013",
        "acr_max": "eidas2",
    },
    # Someone with a ProConnect identity and no account on the platform.
    "stranger": {
        "email": "alex.morel@mairie.example",
        "given_name": "Alex",
        "usual_name": "Morel",
        "siret": "21690123100011",
        "acr_max": "eidas1",
    },
}
RETURN_PATHS = ("/compte/proconnect/retour/",)
LOGOUT_PATHS = ("/compte/proconnect/deconnecte/",)
HOSTS = ("http://testserver", "http://127.0.0.1", "http://localhost")  # localhost: the live server


@dataclass(frozen=True)
class Provider:
    url: str
    process: subprocess.Popen

    @property
    def domain(self):
        return self.url

    def settings_for(self, settings, client_id="tremplin", acr="eidas1"):
        """Point the platform's settings at this provider (the pytest-django `settings` fixture)."""
        settings.PROCONNECT_DOMAIN = self.url
        settings.PROCONNECT_CLIENT_ID = client_id
        settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
        settings.PROCONNECT_ACR = acr
        policy = settings.CONTENT_SECURITY_POLICY
        directives = policy["DIRECTIVES"]
        if self.url not in directives["form-action"]:
            directives = {**directives, "form-action": [*directives["form-action"], self.url]}
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}


@pytest.fixture(scope="session")
def proconnect_provider(tmp_path_factory):
    directory = tmp_path_factory.mktemp("proconnect-provider")
    config = {
        "directory": str(directory),
        "clients": [
            {
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [host + path for host in HOSTS for path in RETURN_PATHS],
                "post_logout_redirect_uris": [host + path for host in HOSTS for path in LOGOUT_PATHS],
                "userinfo_jwt": client_id == "tremplin",
            }
            for client_id in ("tremplin", "tremplin-json")
        ],
        "agents": [{**agent, "password": PASSWORD} for agent in AGENTS.values()],
    }
    (directory / "config.json").write_text(json.dumps(config))
    log = open(directory / "server.log", "w")  # noqa: SIM115 – open for the process's lifetime
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.proconnect_provider.serve", str(directory / "config.json")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            process.kill()
            log.close()
            raise RuntimeError(f"The OIDC provider did not start: {(directory / 'server.log').read_text()}")
        yield Provider(url=line.split()[1], process=process)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        log.close()
