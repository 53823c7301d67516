"""A second territory (Ille-et-Vilaine) with its company and advisor, and helpers to answer a diagnostic.

The owner, her company in the Rhône and the other roles are the root's named users.
"""

import pytest
from django.test import Client

from config.api import api as main_api
from tests.diagnostics.helpers import Q, all_maximum, all_minimum, dimension_answers
from tests.factories import (
    CompanyFactory,
    DepartementFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
)
from tremplin.accounts.models import ApiToken
from tremplin.diagnostics import services
from tremplin.diagnostics.api import router


@pytest.fixture(autouse=True)
def _api_urls(settings):
    """Use /api/v1/diagnostics of the project once it is mounted there, else a test instance."""
    mounted = any(r is router for _prefix, r in main_api._routers)
    if not mounted:
        settings.ROOT_URLCONF = "tests.diagnostics.api_urls"


@pytest.fixture
def ille(db):
    return DepartementFactory(
        code="35", name="Ille-et-Vilaine", region=RegionFactory(code="53", name="Bretagne")
    )


@pytest.fixture
def breton_company(ille):
    return CompanyFactory(departement=ille, naf_code="62.01Z", headcount_bracket="11")


@pytest.fixture
def far_advisor(ille):
    return UserFactory(
        advisor=True, email="conseiller-bzh@example.fr", organisation=OrganisationFactory(departements=[ille])
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def answer_all(user, diagnostic, answers):
    for step in range(1, len(Q.dimensions) + 1):
        diagnostic = services.save_answers(
            user, diagnostic, dimension_answers(answers, step), version=Q.version
        )
    return diagnostic


def completed(user, company, answers=None, owner=None):
    diagnostic, _created = services.start(user, company, owner=owner)
    answer_all(user, diagnostic, answers or all_maximum())
    return services.complete(user, diagnostic)


@pytest.fixture
def in_progress(owner, company):
    diagnostic, _created = services.start(owner, company)
    return diagnostic


@pytest.fixture
def done(owner, company):
    return completed(owner, company, all_minimum())


class ApiClient:
    def __init__(self, user):
        _token, raw = ApiToken.issue(user, "tests")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get("/api/v1/diagnostics" + path, params, **self.headers)

    def post(self, path, json=None):
        return self.client.post(
            "/api/v1/diagnostics" + path,
            json if json is not None else {},
            content_type="application/json",
            **self.headers,
        )
