from django import template

from tremplin.core.glossary import TERMS, term_for_rule

register = template.Library()


def _explained(context, term):
    # Several tooltips on a page: each needs its own id for aria-describedby.
    count = context.render_context.get("glossary_count", 0) + 1
    context.render_context["glossary_count"] = count
    word, text = TERMS[term]
    return {"uid": f"explain-{term}-{count}", "word": word, "text": text}


@register.inclusion_tag("core/includes/explain.html", takes_context=True)
def explain(context, term):
    """A button that shows what `term` means, described by a DSFR tooltip (reachable by keyboard)."""
    return _explained(context, term)


@register.inclusion_tag("core/includes/explain.html", takes_context=True)
def explain_rule(context, kind):
    """The explanation of the term an eligibility rule uses; nothing when it uses none."""
    term = term_for_rule(kind)
    return _explained(context, term) if term else {}
