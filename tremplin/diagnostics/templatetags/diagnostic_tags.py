from django import template

from tremplin.diagnostics.access import resumable

register = template.Library()


@register.inclusion_tag("diagnostics/includes/resume.html", takes_context=True)
def diagnostic_resume_link(context):
    """`{% load diagnostic_tags %}{% diagnostic_resume_link %}` on a dashboard: resume or start."""
    request = context.get("request")
    user = getattr(request, "user", None)
    diagnostic = resumable(user) if user is not None and user.is_authenticated else None
    step = (
        diagnostic.first_unanswered_step() or len(diagnostic.questionnaire.dimensions) if diagnostic else None
    )
    return {"diagnostic": diagnostic, "step": step, "user": user}
