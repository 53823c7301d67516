"""What every test gets: no network, test settings, and one named user per role.

The people (every fixture is lazy, a test gets only those it names):
- `owner`: Camille Martin, business owner; `company` is her company in the Rhône (69), and `draft`
  her complete draft on the open `scheme`, ready to submit.
- `other_owner`: another business owner, who must never see Camille's files.
- `advisor`: an advisor of the CCI Lyon Métropole, whose organisation covers the Rhône.
- `other_advisor`: an advisor of the CCI Paris Île-de-France, which covers Paris (75) only.
- `manager`: a programme manager. `auditor`: a read-only auditor.
- `provider_member`: a member of an accredited provider (`provider_member.provider`).

A directory's conftest may still override one of them where its tests need more (an advisor with a
network antenna, a provider with offers); it then says why.

To browse as someone: `client_for(user)` gives a new logged-in test client (several people in one
test), `logged_in(user)` logs the `client` fixture in and returns it.
"""

import socket

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests import templates
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DepartementFactory,
    EnvelopeFactory,
    OrganisationFactory,
    ProviderFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
)
from tests.second_factor import verify_session

pytest_plugins = ["tests.proconnect_provider.fixture"]

_force_login = Client.force_login


def _force_login_verified(self, user, backend=None, verified=True):
    """force_login, and for staff a session verified by their TOTP device (as `django_otp.login` does)."""
    _force_login(self, user, backend)
    if verified:
        verify_session(self, user)


Client.force_login = _force_login_verified


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
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The register's and the banks' extracts each test writes (tests.factories.register_*).
    settings.AUTHORITY_REPRESENTATIVES = {
        "BACKEND": "tremplin.authority.sources.RneFile",
        "OPTIONS": {"path": str(tmp_path / "rne.csv")},
    }
    settings.PAYEE_VERIFICATION = {
        "BACKEND": "tremplin.authority.payee.BankFile",
        "OPTIONS": {"path": str(tmp_path / "bank.csv")},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits, login delays and axes count in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _fail_on_unknown_template_variables():
    """Set once for the session: changing TEMPLATES per test would rebuild the engines every time."""
    templates.install()


@pytest.fixture(autouse=True)
def _no_unknown_template_variables():
    """Also catches the unknown variables of a rendering whose exception was swallowed (a task)."""
    templates.MET.clear()
    yield
    if templates.MET:
        pytest.fail(f"Unknown template variables: {templates.MET}")


@pytest.fixture(autouse=True)
def _site_language():
    """A test that browses in English must not leave English active for the next one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- places and the programme ----------------------------------------------------------------------


@pytest.fixture
def rhone(db):
    """The covered département, where CompanyFactory puts every company by default."""
    return DepartementFactory(
        code="69", name="Rhône", region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    )


@pytest.fixture
def paris(db):
    return DepartementFactory(code="75", name="Paris", region=RegionFactory(code="11", name="Île-de-France"))


@pytest.fixture
def scheme(db):
    """An open first-come-first-served scheme with a budget in the Rhône's région."""
    scheme = SchemeFactory()
    EnvelopeFactory(scheme=scheme)
    return scheme


# --- the people ------------------------------------------------------------------------------------


@pytest.fixture
def owner(db):
    return UserFactory(email="camille.martin@example.fr", first_name="Camille", last_name="Martin")


@pytest.fixture
def company(rhone):
    return CompanyFactory(departement=rhone)


@pytest.fixture
def draft(scheme, owner, company):
    """The owner's complete draft for her company, ready to submit."""
    return ApplicationFactory(scheme=scheme, owner=owner, company=company)


@pytest.fixture
def other_owner(db):
    return UserFactory(email="dominique.bernard@example.fr", first_name="Dominique", last_name="Bernard")


@pytest.fixture
def advisor(rhone):
    return UserFactory(
        advisor=True,
        email="alice.durand@cci-lyon.example.fr",
        first_name="Alice",
        last_name="Durand",
        organisation=OrganisationFactory(name="CCI Lyon Métropole", departements=[rhone]),
    )


@pytest.fixture
def other_advisor(paris):
    """An advisor of another territory: her organisation covers Paris only."""
    return UserFactory(
        advisor=True,
        email="bruno.petit@cci-paris.example.fr",
        first_name="Bruno",
        last_name="Petit",
        organisation=OrganisationFactory(name="CCI Paris Île-de-France", departements=[paris]),
    )


@pytest.fixture
def manager(db):
    return UserFactory(
        manager=True, email="gestion@tremplin.example.fr", first_name="Gaëlle", last_name="Roux"
    )


@pytest.fixture
def auditor(db):
    return UserFactory(
        auditor=True, email="controle@tremplin.example.fr", first_name="Hugo", last_name="Blanc"
    )


@pytest.fixture
def provider_member(db):
    return UserFactory(
        provider_member=True,
        provider=ProviderFactory(name="Agence Web Lumière"),
        email="lea.moreau@agence-lumiere.example.fr",
        first_name="Léa",
        last_name="Moreau",
    )


# --- browsing as someone ---------------------------------------------------------------------------


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a new test client logged in as `user` (one per person in a test)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def logged_in(client):
    """`logged_in(user)`: the `client` fixture, logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`sent(action, *args)`: run the action, commit, and return the emails it sent (on commit or at once)."""

    def run(action, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return list(mail.outbox)

    return run
