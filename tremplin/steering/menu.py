"""The steering pages, in the order of the side menu. A page adds its line here when it lands."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    url_name: str
    label: str
    description: str


PAGES = [
    Page("steering:index", _("Vue d'ensemble"), _("Les pages du pilotage.")),
    Page("steering:reach", _("Portée"), _("Bénéficiaires et entreprises touchées pour 1 000 éligibles.")),
]


def menu(request):
    """The side menu's items, the current page marked."""
    return [
        {
            "url": (url := reverse(page.url_name)),
            "label": page.label,
            "description": page.description,
            "current": request.path == url,
        }
        for page in PAGES
    ]
