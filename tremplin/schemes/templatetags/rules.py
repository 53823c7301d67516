from django import template

from tremplin.schemes.eligibility import translated
from tremplin.schemes.models import EligibilityRule

register = template.Library()


@register.filter
def rule_label(rule):
    """The name of an eligibility rule in the page's language (a file keeps it as written on the day)."""
    kind = rule.get("kind") if isinstance(rule, dict) else getattr(rule, "kind", None)
    if kind in EligibilityRule.Kind.values:
        return EligibilityRule.Kind(kind).label
    return rule.get("label") if isinstance(rule, dict) else rule.label


@register.filter
def rule_message(rule):
    """What an eligibility rule said, in the page's language (a file keeps the French and its parts)."""
    if isinstance(rule, dict):
        return translated(rule.get("text") or rule.get("message", ""))
    return translated(getattr(rule, "message", rule))
