from django import template

from tremplin.core.formatting import euros as format_euros

register = template.Library()


@register.filter
def euros(cents):
    if cents is None or cents == "":
        return "–"
    return format_euros(cents)
