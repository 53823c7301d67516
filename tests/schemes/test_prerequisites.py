import pytest

from tests.factories import CompanyFactory
from tremplin.schemes import prerequisites

pytestmark = pytest.mark.django_db


def test_the_diagnostics_and_the_network_tell_the_prerequisite_facts():
    assert prerequisites.facts_for(CompanyFactory()) == {
        "last_diagnostic_on": None,
        "last_support_action_on": None,
    }


def test_a_fact_the_rules_do_not_know_is_refused():
    with pytest.raises(ValueError, match="not a field"):
        prerequisites.register("last_visit_on", lambda company: None)
