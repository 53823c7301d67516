"""The columns of the advisor network's exports: what its pages show (no e-mail, no phone)."""

from django.utils.translation import gettext_lazy as _

from tremplin.core.exports import Column


def _company(request):
    return request.company.display_name if request.company_id else None


def _detail(action):
    if action.awareness_session_id:
        return action.awareness_session.title
    if action.coaching_session_id:
        return action.coaching_session.topic
    return None


MATCH_COLUMNS = [
    Column(_("Demande"), "request.reference"),
    Column(_("Reçue le"), "created_at"),
    Column(_("Entreprise"), lambda match: _company(match.request)),
    Column("SIRET", "request.siret"),
    Column(_("Thème"), "request.theme.label"),
    Column(_("État"), lambda match: match.get_state_display()),
    Column(_("Mise à jour le"), "updated_at"),
]

QUEUE_COLUMNS = [
    Column(_("Demande"), "reference"),
    Column(_("Reçue le"), "created_at"),
    Column("SIRET", "siret"),
    Column(_("Thème"), "theme.label"),
    Column(_("Département"), lambda request: str(request.departement) if request.departement_id else None),
    Column(_("Conseillers ayant décliné"), "declined"),
]

ACTION_COLUMNS = [
    Column(_("Date"), "on"),
    Column(_("Type"), lambda action: action.get_kind_display()),
    Column(_("Conseiller"), lambda action: action.advisor.get_full_name() or action.advisor.email),
    Column(_("Organisation"), "organisation.name"),
    Column(_("Entreprise"), "company.display_name"),
    Column("SIREN", "company.siren"),
    Column(_("Département"), "departement_id"),
    Column(_("Intitulé"), _detail),
    Column(_("Durée (heures)"), "coaching_session.hours"),
]
