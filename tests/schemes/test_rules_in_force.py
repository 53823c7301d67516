"""The rules in force are read once per process for each rules version, and a changed rule is seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SchemeFactory
from tremplin.schemes.models import EligibilityRule, Scheme

pytestmark = pytest.mark.django_db


def _rule_queries(queries):
    return [q for q in queries if "schemes_eligibilityrule" in q["sql"]]


def test_the_rules_are_read_once_for_a_version():
    scheme = Scheme.objects.get(pk=SchemeFactory().pk)
    with CaptureQueriesContext(connection) as first:
        kinds = [r.kind for r in scheme.rules_in_force()]
    again = Scheme.objects.get(pk=scheme.pk)  # another request reads the scheme again
    with CaptureQueriesContext(connection) as second:
        assert [r.kind for r in again.rules_in_force()] == kinds
    assert len(_rule_queries(first.captured_queries)) == 1
    assert _rule_queries(second.captured_queries) == []
    assert kinds == list(scheme.current_rules().values_list("kind", flat=True))


def test_a_saved_rule_is_seen_by_the_next_reader():
    scheme = SchemeFactory()
    before = Scheme.objects.get(pk=scheme.pk).rules_in_force()
    rule = EligibilityRule.objects.get(scheme=scheme, kind="max_declared_headcount")
    rule.params = {"max": 3}
    rule.save()
    after = Scheme.objects.get(pk=scheme.pk).rules_in_force()
    assert next(r for r in before if r.kind == "max_declared_headcount").params != {"max": 3}
    assert next(r for r in after if r.kind == "max_declared_headcount").params == {"max": 3}


def test_a_deleted_rule_is_gone_for_the_next_reader_and_for_the_scheme_that_created_it():
    scheme = SchemeFactory(with_rules=False)
    rule = EligibilityRule.objects.create(scheme=scheme, kind="one_open_voucher", position=0)
    assert [r.kind for r in scheme.rules_in_force()] == ["one_open_voucher"]
    EligibilityRule.objects.create(scheme=scheme, kind="active_in_registry", position=1)
    assert [r.kind for r in scheme.rules_in_force()] == ["one_open_voucher", "active_in_registry"]
    rule.delete()
    assert [r.kind for r in Scheme.objects.get(pk=scheme.pk).rules_in_force()] == ["active_in_registry"]


def test_a_new_version_is_read_when_the_scheme_moves_to_it():
    scheme = SchemeFactory()
    EligibilityRule.objects.bulk_create([EligibilityRule(scheme=scheme, version=2, kind="one_open_voucher")])
    assert len(Scheme.objects.get(pk=scheme.pk).rules_in_force()) > 1
    Scheme.objects.filter(pk=scheme.pk).update(rules_version=2)
    assert [r.kind for r in Scheme.objects.get(pk=scheme.pk).rules_in_force()] == ["one_open_voucher"]
