from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The buttons' text, by the `what` the page asks for (a list with a second export says which).
LABELS = {
    "": _("Exporter (%(format)s)"),
    "claims": _("Exporter les paiements demandés (%(format)s)"),
    "actions": _("Exporter le journal des actions (%(format)s)"),
    "reviews": _("Exporter les avis (%(format)s)"),
}


@register.inclusion_tag("core/includes/export_links.html", takes_context=True)
def export_links(context, url_name, what="", **kwargs):
    """The "Exporter (CSV)" / "Exporter (Excel)" buttons of a list: the export URL `url_name` (given
    `kwargs` and fmt) with the page's own query string, so that the file holds the rows its filters
    select, over all its pages (the page number is left out)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    suffix = f"?{query.urlencode()}" if query else ""
    label = LABELS[what]
    return {
        "links": [
            (fmt, label % {"format": name}, reverse(url_name, kwargs={**kwargs, "fmt": fmt}) + suffix)
            for fmt, name in (("csv", "CSV"), ("xlsx", "Excel"))
        ]
    }
