import re
from datetime import date

import pytest
from django.utils import translation

from tests.factories import DEFAULT_RULES, CompanyFactory, SchemeFactory
from tremplin.registry.models import Company
from tremplin.schemes.eligibility import RULES, Facts, all_passed, answered_by_registry, condition, evaluate
from tremplin.schemes.models import EligibilityRule

TODAY = date(2026, 11, 26)


def rules():
    return [EligibilityRule(kind=kind, params=params) for kind, params in DEFAULT_RULES]


def company(**kwargs):
    defaults = dict(
        siren="732829320",
        state=Company.State.ACTIVE,
        headcount_bracket="02",
        created_on=date(2020, 1, 15),
        legal_form="5710",
        naf_code="47.11B",
    )
    defaults.update(kwargs)
    return Company(**defaults)


def facts(**kwargs):
    defaults = dict(
        company=company(),
        on=TODAY,
        declared_headcount=4,
        declared_turnover_cents=50_000_000,
        declared_de_minimis_cents=0,
        amount_cents=250_000,
    )
    defaults.update(kwargs)
    return Facts(**defaults)


def verdict(results, kind):
    return next(r for r in results if r.kind == kind)


def test_an_eligible_company_passes_every_rule_with_an_explanation():
    results = evaluate(rules(), facts())
    assert all_passed(results)
    assert len(results) == len(DEFAULT_RULES)
    assert all(r.message for r in results)


@pytest.mark.parametrize(
    ("change", "kind", "words"),
    [
        ({"company": company(state="C")}, "active_in_registry", "cessée"),
        ({"company": company(headcount_bracket="12")}, "max_headcount_bracket", "20 à 49"),
        ({"declared_headcount": 11}, "max_declared_headcount", "11 salariés"),
        ({"declared_turnover_cents": 200_000_000}, "max_turnover", "2\u202f000\u202f000 €"),
        ({"company": company(created_on=date(2026, 6, 1))}, "min_company_age", "moins de 6 mois"),
        (
            {"company": company(legal_form="9220")},
            "excluded_legal_forms",
            "(Association loi 1901 ou assimilé)",
        ),
        ({"company": company(legal_form="7210")}, "excluded_legal_forms", "(Collectivité territoriale)"),
        ({"declared_de_minimis_cents": 29_900_000}, "de_minimis", "300\u202f000 €"),
        ({"has_other_open_file": True}, "one_open_voucher", "déjà en cours"),
    ],
)
def test_each_rule_fails_with_a_plain_french_reason(change, kind, words):
    results = evaluate(rules(), facts(**change))
    result = verdict(results, kind)
    assert result.passed is False
    assert words in result.message
    assert not all_passed(results)
    # The other rules are still evaluated: the owner sees everything at once.
    assert sum(r.passed is False for r in results) == 1


def test_missing_declarations_are_to_complete_not_failed():
    results = evaluate(
        rules(), facts(declared_headcount=None, declared_turnover_cents=None, declared_de_minimis_cents=None)
    )
    for kind in ("max_declared_headcount", "max_turnover", "de_minimis"):
        assert verdict(results, kind).passed is None
    assert not all_passed(results)


def test_headcount_bracket_eleven_is_the_last_one_allowed():
    assert verdict(
        evaluate(rules(), facts(company=company(headcount_bracket="11"))), "max_headcount_bracket"
    ).passed
    assert verdict(
        evaluate(rules(), facts(company=company(headcount_bracket="NN"))), "max_headcount_bracket"
    ).passed


def test_company_age_counts_whole_months():
    just = company(created_on=date(2026, 5, 26))
    short = company(created_on=date(2026, 5, 27))
    assert verdict(evaluate(rules(), facts(company=just)), "min_company_age").passed is True
    assert verdict(evaluate(rules(), facts(company=short)), "min_company_age").passed is False


def test_de_minimis_ceiling_includes_this_voucher():
    at_ceiling = facts(declared_de_minimis_cents=30_000_000 - 250_000)
    over = facts(declared_de_minimis_cents=30_000_000 - 249_999)
    assert verdict(evaluate(rules(), at_ceiling), "de_minimis").passed is True
    assert verdict(evaluate(rules(), over), "de_minimis").passed is False


@pytest.mark.django_db
def test_a_scheme_evaluates_only_its_current_rule_version():
    scheme = SchemeFactory()
    EligibilityRule.objects.create(scheme=scheme, version=2, kind="max_declared_headcount", params={"max": 2})
    assert scheme.current_rules().count() == len(DEFAULT_RULES)
    scheme.rules_version = 2
    current = list(scheme.current_rules())
    assert [r.kind for r in current] == ["max_declared_headcount"]
    results = evaluate(current, facts(company=CompanyFactory(), declared_headcount=3))
    assert results[0].passed is False


@pytest.mark.parametrize(
    ("spend", "expected"),
    [(100_000, 50_000), (400_001, 200_000), (500_000, 250_000), (900_000, 250_000), (1, 0)],
)
def test_voucher_amount_is_half_the_spend_rounded_down_and_capped(spend, expected):
    from tremplin.schemes.models import Scheme

    assert Scheme(cap_cents=250_000).voucher_amount_cents(spend) == expected


def test_a_recent_diagnostic_is_required_when_the_scheme_asks_for_it():
    rule = [EligibilityRule(kind="diagnostic_completed", params={"months": 12})]
    missing = evaluate(rule, facts())[0]
    assert missing.passed is False and "Faites d'abord le diagnostic" in missing.message
    old = evaluate(rule, facts(last_diagnostic_on=date(2025, 11, 25)))[0]
    assert old.passed is False and "25/11/2025" in old.message
    assert evaluate(rule, facts(last_diagnostic_on=date(2025, 11, 26)))[0].passed is True


def test_an_awareness_session_or_diagnostic_with_an_advisor_can_be_required():
    rule = [EligibilityRule(kind="support_action", params={"months": 6})]
    assert evaluate(rule, facts())[0].passed is False
    assert evaluate(rule, facts(last_support_action_on=date(2026, 5, 26)))[0].passed is True
    assert evaluate(rule, facts(last_support_action_on=date(2026, 5, 25)))[0].passed is False


def test_months_are_counted_back_to_the_end_of_shorter_months():
    from tremplin.schemes.eligibility import _months_before

    assert _months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert _months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert _months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


# --- the rules stated as conditions, from the same parameters -------------------------------------


def test_every_kind_of_rule_is_evaluated_and_stated_in_one_place():
    assert set(RULES) == set(EligibilityRule.Kind.values)
    stated = [condition(rule, [rule]) for rule in rules()]
    assert all(stated)


@pytest.mark.parametrize(
    ("kind", "params", "sentence"),
    [
        ("max_declared_headcount", {}, "Employer au plus 10 salariés."),
        ("max_declared_headcount", {"max": 5}, "Employer au plus 5 salariés."),
        ("max_turnover", {}, "Avoir un chiffre d'affaires annuel inférieur à 2\u202f000\u202f000 €."),
        ("min_company_age", {"months": 12}, "Avoir été créée il y a au moins 12 mois."),
        (
            "excluded_legal_forms",
            {"prefixes": ["71", "72"]},
            "Certaines formes juridiques sont exclues : administration de l'état, collectivité territoriale.",
        ),
        (
            "excluded_legal_forms",
            {"prefixes": ["65"], "label": "sociétés civiles"},
            "Certaines formes juridiques sont exclues : sociétés civiles.",
        ),
        ("diagnostic_completed", {}, "Diagnostic numérique réalisé récemment"),
    ],
)
def test_a_rule_is_stated_with_its_parameters_or_their_defaults(kind, params, sentence):
    assert condition(EligibilityRule(kind=kind, params=params), []) == sentence


def test_the_stated_limit_is_the_evaluated_one():
    rule = EligibilityRule(kind="max_declared_headcount", params={})
    assert "10" in condition(rule, [rule])
    assert verdict(evaluate([rule], facts(declared_headcount=10)), rule.kind).passed is True
    assert verdict(evaluate([rule], facts(declared_headcount=11)), rule.kind).passed is False


def test_the_headcount_bracket_is_not_stated_when_the_declared_headcount_is():
    bracket = EligibilityRule(kind="max_headcount_bracket", params={"max": "11"})
    declared = EligibilityRule(kind="max_declared_headcount", params={})
    assert (
        condition(bracket, [bracket])
        == "Avoir moins de 20 salariés d'après le répertoire SIRENE (tranche d'effectifs « 10 à 19 salariés » au plus)."
    )
    assert condition(bracket, [bracket, declared]) is None


def test_the_quick_check_answers_only_what_the_registry_knows():
    answered = {kind for kind in RULES if answered_by_registry(EligibilityRule(kind=kind))}
    assert answered == {
        "active_in_registry",
        "max_headcount_bracket",
        "min_company_age",
        "excluded_legal_forms",
        "excluded_naf",
        "territories",
    }


def test_in_english_a_scheme_s_own_label_and_insee_s_labels_are_shown_as_written():
    named = EligibilityRule(kind="excluded_legal_forms", params={"prefixes": ["92"]})
    own = EligibilityRule(
        kind="excluded_legal_forms",
        params={"prefixes": ["92"], "label": "personnes publiques et associations"},
    )
    with translation.override("en"):
        assert condition(named, []) == "Some legal forms are excluded: association loi 1901 ou assimilé."
        assert condition(own, []) == "Some legal forms are excluded: personnes publiques et associations."


@pytest.mark.parametrize("code", ["9220", "7210", "4110"])
def test_a_refused_legal_form_is_named_not_coded(code):
    message = verdict(
        evaluate(rules(), facts(company=company(legal_form=code))), "excluded_legal_forms"
    ).message
    assert code not in message


def test_without_a_label_of_its_own_the_excluded_forms_are_named_from_the_prefixes():
    rule = EligibilityRule(kind="excluded_legal_forms", params={"prefixes": ["65", "92"]})
    assert condition(rule, [rule]) == (
        "Certaines formes juridiques sont exclues : société civile, association loi 1901 ou assimilé."
    )
    assert (
        "(société civile, association loi 1901 ou assimilé)"
        in verdict(evaluate([rule], facts(company=company(legal_form="6540"))), rule.kind).message
    )


def test_a_rule_excluding_no_legal_form_is_not_stated():
    rule = EligibilityRule(kind="excluded_legal_forms", params={"prefixes": []})
    assert condition(rule, [rule]) is None


# The upper bound of each SIRENE bracket, in staff (53, "10 000 or more", has none).
BRACKET_TOPS = {"NN": 0, "00": 0, "01": 2, "02": 5, "03": 9, "11": 19, "12": 49, "21": 99, "22": 199}


@pytest.mark.parametrize("limit", ["00", "01", "02", "03", "11", "12", "21"])
def test_the_stated_headcount_bracket_is_the_evaluated_one(limit):
    rule = EligibilityRule(kind="max_headcount_bracket", params={"max": limit})
    stated = condition(rule, [rule])
    match = re.search(r"moins de (\d+) salariés", stated) or re.search(r"(aucun) salarié", stated)
    assert match, stated
    fewer_than = 1 if match.group(1) == "aucun" else int(match.group(1))
    for bracket, top in BRACKET_TOPS.items():
        result = verdict(evaluate([rule], facts(company=company(headcount_bracket=bracket))), rule.kind)
        assert result.passed is (top < fewer_than), (limit, bracket, stated, result.message)
        assert "dispositif" in result.message


def test_the_bracket_messages_say_the_limit_in_staff():
    rule = EligibilityRule(kind="max_headcount_bracket", params={"max": "11"})
    assert condition(rule, [rule]) == (
        "Avoir moins de 20 salariés d'après le répertoire SIRENE (tranche d'effectifs « 10 à 19 salariés » au plus)."
    )
    passed = verdict(evaluate([rule], facts(company=company(headcount_bracket="11"))), rule.kind)
    assert passed.message == (
        "Le répertoire SIRENE indique « 10 à 19 salariés » : moins de 20 salariés, "
        "c'est dans la limite du dispositif."
    )
    failed = verdict(evaluate([rule], facts(company=company(headcount_bracket="12"))), rule.kind)
    assert failed.message == (
        "Le répertoire SIRENE indique « 20 à 49 salariés » : le dispositif est réservé aux entreprises de "
        "moins de 20 salariés d'après le répertoire."
    )


@pytest.mark.parametrize("limit", [1, 5, 10, 49])
def test_the_stated_declared_headcount_is_the_evaluated_one(limit):
    rule = EligibilityRule(kind="max_declared_headcount", params={"max": limit})
    stated = int(re.search(r"au plus (\d+) salariés", condition(rule, [rule])).group(1))
    for declared in (0, limit - 1, limit, limit + 1, 2 * limit + 5):
        result = verdict(evaluate([rule], facts(declared_headcount=declared)), rule.kind)
        assert result.passed is (declared <= stated)
