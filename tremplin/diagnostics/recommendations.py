"""From a diagnostic's weak points to at most five concrete actions, most useful first."""

from decimal import Decimal

from django.db.models import F

from tremplin.diagnostics.models import RecommendationRule
from tremplin.diagnostics.questionnaire import (
    AREAS,
    RATINGS,
    STRATEGY,
    TICKS_EXCLUSIVE,
    TRISTATE,
    TRISTATE_VALUES,
)
from tremplin.providers.models import Provider
from tremplin.schemes.models import SpendCategory

MAX_SHOWN = 5
WEAK_STRATEGY = Decimal(50)

Condition = RecommendationRule.Condition


def _ticked(question, answer, item):
    if answer is None:
        return False
    if question.kind == AREAS:
        return item in answer["invested"] or item in answer["planned"]
    if question.kind == TICKS_EXCLUSIVE and question.exclusive.id in answer:
        return False
    return item in answer


def _rating(question, answer, item):
    if answer is None:
        return 0
    if question.kind == RATINGS:
        return answer[item]
    if question.kind == TRISTATE:
        return TRISTATE_VALUES[answer[item]]
    return 1 if _ticked(question, answer, item) else 0


def matches(rule, diagnostic):
    if rule.condition == Condition.DIMENSION_AT_MOST:
        score = diagnostic.dimension_scores.get(rule.dimension)
        return score is not None and Decimal(score) <= rule.threshold
    question = diagnostic.questionnaire.questions.get(rule.question)
    if question is None or rule.item not in question.item_ids:
        return False
    answer = diagnostic.answers.get(rule.question)
    if rule.condition == Condition.ITEM_MISSING:
        return not _ticked(question, answer, rule.item)
    if rule.condition == Condition.RATING_AT_MOST:
        return _rating(question, answer, rule.item) <= rule.threshold
    return False


def is_strategy(rule):
    return SpendCategory.STRATEGY in (rule.spend_categories or [])


def recommend(diagnostic, rules=None):
    """The rules that apply, by expected benefit; a weak strategy puts strategy advice first."""
    if rules is None:
        rules = list(RecommendationRule.objects.filter(active=True).order_by("-benefit", "pk"))
    chosen = [rule for rule in rules if matches(rule, diagnostic)]
    strategy = Decimal(diagnostic.dimension_scores.get(STRATEGY, "100"))
    if strategy <= WEAK_STRATEGY:
        # Tools bought before the offer is rethought do little: strategy advice comes first.
        first = next((r for r in chosen if is_strategy(r)), None) or next(
            (r for r in rules if is_strategy(r)), None
        )
        if first is not None:
            chosen = [first] + [r for r in chosen if r.pk != first.pk]
    return chosen[:MAX_SHOWN]


def providers_for(category, departement):
    """Up to three accredited providers with an offer of this category serving this département,
    best rated first."""
    return list(
        Provider.objects.accredited()
        .filter(offers__category=category, offers__departements=departement)
        .distinct()
        .order_by(F("rating_avg").desc(nulls_last=True), "name")[:3]
    )
