from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

from tremplin.core.formatting import euros as format_euros
from tremplin.vouchers import payment_date

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


@register.filter
def long_date(value):
    """A date written out ("2 mars 2026"), with the French ordinal for the first of the month ("1er")."""
    if not value:
        return ""
    text = date_format(value, "j F Y")
    if value.day == 1 and (get_language() or "").startswith("fr"):
        text = "1er" + text[1:]
    return text


@register.filter
def expected_payment_on(claim):
    """The day the owner may expect the payment of `claim` (tremplin.vouchers.payment_date)."""
    return payment_date.expected_payment_on(claim) if claim else None
