import socket

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never leave the machine: only loopback and Unix sockets are allowed."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family == socket.AF_UNIX or (
            isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost")
        ):
            return real_connect(self, address)
        raise RuntimeError(f"Network access blocked in tests: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    """A test that browses in English must not leave English active for the next one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
