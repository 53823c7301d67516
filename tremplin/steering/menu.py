"""The steering pages, in the order of the side menu. A page adds its line here when it lands."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role

NATIONAL_ROLES = (Role.MANAGER, Role.AUDITOR)


@dataclass(frozen=True)
class Page:
    url_name: str
    label: str
    description: str
    # Only for those who see the whole programme (managers, auditors), not an organisation's head.
    national: bool = False


PAGES = [
    Page("steering:index", _("Vue d'ensemble"), _("Les pages du pilotage.")),
    Page(
        "steering:state_aid_register",
        _("Registre des aides d'État"),
        _("Les chèques accordés, à transmettre au registre national des aides de minimis."),
        national=True,
    ),
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
        if not page.national or getattr(request.user, "role", None) in NATIONAL_ROLES
    ]
