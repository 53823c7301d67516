"""Properties of the eligibility rules over generated companies and declarations (no database).

Each limit is applied exactly as its rule says, a verdict always comes with a sentence, in French and
in English, and the file is eligible exactly when every rule passed.
"""

from datetime import date, timedelta

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import DEFAULT_RULES
from tests.schemes.test_eligibility import company, rules
from tremplin.registry.headcount import HEADCOUNT_BRACKETS
from tremplin.schemes.eligibility import Facts, all_passed, evaluate, translated
from tremplin.schemes.models import EligibilityRule

TODAY = date(2026, 11, 26)
PROPERTIES = settings(max_examples=300, deadline=None)

cents = st.integers(min_value=0, max_value=10**11)
maybe_cents = st.none() | cents
companies = st.builds(
    company,
    state=st.sampled_from(["A", "C"]),
    headcount_bracket=st.sampled_from([*HEADCOUNT_BRACKETS, "", "XX"]),
    created_on=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=TODAY + timedelta(days=400)),
    legal_form=st.from_regex(r"\A[0-9]{4}\Z") | st.just(""),
    naf_code=st.from_regex(r"\A[0-9]{2}\.[0-9]{2}[A-Z]\Z"),
)
facts = st.builds(
    Facts,
    company=companies,
    on=st.just(TODAY),
    declared_headcount=st.none() | st.integers(min_value=0, max_value=100_000),
    declared_turnover_cents=maybe_cents,
    declared_de_minimis_cents=maybe_cents,
    amount_cents=maybe_cents,
    has_other_open_file=st.booleans(),
)


def verdict(kind, params, f):
    (result,) = evaluate([EligibilityRule(kind=kind, params=params)], f)
    return result.passed


@PROPERTIES
@given(f=facts)
def test_every_rule_gives_a_verdict_with_a_sentence_in_both_languages(f):
    results = evaluate(rules(), f)
    assert len(results) == len(DEFAULT_RULES)
    for result in results:
        assert result.passed in (True, False, None)
        french = str(result.message)
        with translation.override("en"):
            english = translated(result.message)
        assert french.strip() and english.strip()
        assert "%(" not in french and "%(" not in english  # every value was filled in
    assert all_passed(results) is all(result.passed is True for result in results)


@PROPERTIES
@given(headcount=st.integers(min_value=0, max_value=100_000), limit=st.integers(min_value=0, max_value=5_000))
def test_the_declared_headcount_passes_exactly_up_to_the_limit(headcount, limit):
    f = Facts(company=company(), on=TODAY, declared_headcount=headcount)
    assert verdict("max_declared_headcount", {"max": limit}, f) is (headcount <= limit)


@PROPERTIES
@given(turnover=cents, limit=cents)
def test_the_turnover_passes_exactly_below_the_limit(turnover, limit):
    f = Facts(company=company(), on=TODAY, declared_turnover_cents=turnover)
    assert verdict("max_turnover", {"max_cents": limit}, f) is (turnover < limit)


@PROPERTIES
@given(received=cents, amount=maybe_cents, ceiling=cents)
def test_de_minimis_counts_the_voucher_itself_against_the_ceiling(received, amount, ceiling):
    f = Facts(company=company(), on=TODAY, declared_de_minimis_cents=received, amount_cents=amount)
    assert verdict("de_minimis", {"ceiling_cents": ceiling}, f) is (received + (amount or 0) <= ceiling)


@PROPERTIES
@given(bracket=st.sampled_from(HEADCOUNT_BRACKETS), limit=st.sampled_from(HEADCOUNT_BRACKETS))
def test_the_registry_bracket_passes_exactly_up_to_the_highest_bracket_allowed(bracket, limit):
    f = Facts(company=company(headcount_bracket=bracket), on=TODAY)
    expected = HEADCOUNT_BRACKETS.index(bracket) <= HEADCOUNT_BRACKETS.index(limit)
    assert verdict("max_headcount_bracket", {"max": limit}, f) is expected


@PROPERTIES
@given(f=facts)
def test_an_undeclared_figure_is_never_a_pass_nor_a_refusal(f):
    for kind, params, field in [
        ("max_declared_headcount", {"max": 10}, "declared_headcount"),
        ("max_turnover", {"max_cents": 200_000_000}, "declared_turnover_cents"),
        ("de_minimis", {"ceiling_cents": 30_000_000}, "declared_de_minimis_cents"),
    ]:
        if getattr(f, field) is None:
            assert verdict(kind, params, f) is None
