"""Start the local OpenID Connect provider: `python -m tests.proconnect_provider.serve CONFIG.json`.

CONFIG names a directory (database, key, agents), the clients (id, secret, redirect and post-logout URIs,
whether userinfo comes back as a JWT) and the agents (email, password, names, SIRET, highest eIDAS level).
The server listens on a free loopback port and prints `listening http://127.0.0.1:PORT` once it accepts
connections; it runs until killed.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path


def _exit_with_parent(parent):
    """A test run killed outright leaves no provider behind: stop when the process that started us is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main(config_path):
    config = json.loads(Path(config_path).read_text())
    directory = Path(config["directory"])
    directory.mkdir(parents=True, exist_ok=True)

    # The socket first: the issuer (and so the settings) name its port.
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    port = server.server_address[1]
    issuer = f"http://127.0.0.1:{port}/api/v2"

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    agents = {
        agent["email"]: {"siret": agent["siret"], "acr_max": agent.get("acr_max", "eidas1")}
        for agent in config["agents"]
    }
    jwt_clients = [client["client_id"] for client in config["clients"] if client.get("userinfo_jwt")]
    (directory / "agents.json").write_text(
        json.dumps({"agents": agents, "userinfo_jwt_clients": jwt_clients})
    )

    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.proconnect_provider.settings",
        PROVIDER_DIR=str(directory),
        PROVIDER_ISSUER=issuer,
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for client in config["clients"]:
        Application.objects.update_or_create(
            client_id=client["client_id"],
            defaults={
                "name": client["client_id"],
                "client_secret": client["client_secret"],
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(client["redirect_uris"]),
                "post_logout_redirect_uris": " ".join(client["post_logout_redirect_uris"]),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
                "hash_client_secret": True,
            },
        )
    User = get_user_model()
    for agent in config["agents"]:
        user, _ = User.objects.get_or_create(username=agent["email"])
        user.email = agent["email"]
        user.first_name = agent["given_name"]
        user.last_name = agent["usual_name"]
        user.set_password(agent["password"])
        user.save()

    from django.core.handlers.wsgi import WSGIHandler

    server.set_app(WSGIHandler())
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    print(f"listening http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
