"""Scheme prerequisites fed by the diagnostic and the advisor network."""

import pytest

from tests.diagnostics.helpers import all_maximum
from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    EnvelopeFactory,
    RegionFactory,
    UserFactory,
)
from tremplin.core.errors import ServiceError
from tremplin.diagnostics import services as diagnostics
from tremplin.network.models import Action
from tremplin.schemes.models import EligibilityRule
from tremplin.vouchers import services
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db


def scheme_requiring(kind, months):
    envelope = EnvelopeFactory(region=RegionFactory())
    EligibilityRule.objects.create(scheme=envelope.scheme, kind=kind, params={"months": months}, position=99)
    return envelope.scheme


def diagnose(user, company, owner=None):
    diagnostic, _ = diagnostics.start(user, company, owner=owner)
    diagnostics.save_answers(user, diagnostic, all_maximum())
    return diagnostics.complete(user, diagnostic)


def test_a_file_needs_a_recent_diagnostic_when_the_scheme_says_so():
    app = ApplicationFactory(scheme=scheme_requiring("diagnostic_completed", 12))
    with pytest.raises(ServiceError) as exc:
        services.submit(app.owner, app)
    assert "diagnostic numérique" in exc.value.message

    diagnose(app.owner, app.company)
    services.submit(app.owner, app)

    app.refresh_from_db()
    assert app.state == State.SUBMITTED
    assert any(r["kind"] == "diagnostic_completed" and r["passed"] for r in app.eligibility)


def test_a_diagnostic_run_by_an_advisor_counts_as_a_support_action():
    app = ApplicationFactory(scheme=scheme_requiring("support_action", 6))
    assert not next(r for r in services.check_eligibility(app) if r.kind == "support_action").passed
    advisor = UserFactory(advisor=True, organisation__departements=[DepartementFactory()])

    diagnose(advisor, app.company, owner=app.owner)

    assert Action.objects.filter(kind="diagnostic", company=app.company, advisor=advisor).count() == 1
    assert next(r for r in services.check_eligibility(app) if r.kind == "support_action").passed
