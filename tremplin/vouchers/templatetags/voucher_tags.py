from django import template

from tremplin.core.formatting import euros as format_euros

register = template.Library()


@register.filter
def euros(cents):
    if cents is None or cents == "":
        return "–"
    return format_euros(cents)


@register.filter
def iban(value):
    """An IBAN as people read it back: groups of four characters."""
    compact = "".join((value or "").split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
