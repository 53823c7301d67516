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
    Page("steering:budget", _("Budget"), _("Enveloppes engagées et payées, rythme et date d'épuisement.")),
    Page(
        "steering:funnel",
        _("Parcours des dossiers"),
        _("Du diagnostic au paiement, par territoire, secteur, taille et mois."),
    ),
    Page(
        "steering:delays",
        _("Délais"),
        _("Délais de décision et de paiement, dossiers hors délai, par organisation et conseiller."),
    ),
    Page(
        "steering:network",
        _("Réseau de conseillers"),
        _("Demandes d'accompagnement : transmission sous 72 h, prise en charge sous 5 jours, issues."),
    ),
    Page("steering:reach", _("Portée"), _("Bénéficiaires et entreprises touchées pour 1 000 éligibles.")),
    Page(
        "steering:open_data",
        _("Données ouvertes"),
        _("Les chèques accordés au format SCDL et les chiffres agrégés, publics, à télécharger."),
    ),
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
