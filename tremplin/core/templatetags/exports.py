from django import template
from django.urls import reverse
from django.utils.translation import gettext

register = template.Library()


@register.inclusion_tag("core/includes/export_links.html", takes_context=True)
def export_links(context, url_name, label="", **kwargs):
    """The "Exporter (CSV)" / "Exporter (Excel)" buttons of a list: the export URL `url_name` (given
    `kwargs` and fmt) with the page's own query string, so that the file holds the rows its filters
    select, over all its pages (the page number is left out). `label`: a translated text holding
    %(format)s, for a second export of the same page."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    suffix = f"?{query.urlencode()}" if query else ""
    label = label or gettext("Exporter (%(format)s)")
    return {
        "links": [
            (fmt, label % {"format": name}, reverse(url_name, kwargs={**kwargs, "fmt": fmt}) + suffix)
            for fmt, name in (("csv", "CSV"), ("xlsx", "Excel"))
        ]
    }
