from django import template
from django.utils.html import format_html

from tremplin.core.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag
def idempotency_field():
    """A hidden field with a new key: the form, sent twice (a double click, a resend), is done once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
