"""Where the platform asks the registry about a company.

Today the answer comes from our own tables, filled by the SIRENE stock import
(`manage.py import_sirene`): no network. The INSEE API (or API Recherche
d'entreprises) will plug in as another `Registry` implementation selected by
`get_registry()`; callers use the module-level functions and never know which.

A person names a company by its SIREN or one of its SIRETs: `company_for()` is the one lookup
that finds it and refuses it, with the codes and messages below (the API documents the codes).
"""

from django.utils.translation import gettext_noop
from stdnum.fr import siren as siren_checker
from stdnum.fr import siret as siret_checker

from tremplin.core.errors import Conflict, NotFound, ServiceError
from tremplin.core.validators import clean_siren_or_siret
from tremplin.registry.models import Company, Establishment

UNKNOWN_SIREN = "unknown_siren"
COMPANY_CEASED = "company_ceased"
UNKNOWN_SIRET = "unknown_siret"
ESTABLISHMENT_CLOSED = "establishment_closed"

# French, as every refusal of a service; marked so that pages can show them in English.
REFUSALS = {
    UNKNOWN_SIREN: gettext_noop(
        "Ce numéro n'est pas dans le répertoire des entreprises (SIRENE). Vérifiez-le sur une facture "
        "ou sur l'extrait Kbis. Si l'entreprise vient d'être créée, réessayez dans quelques jours."
    ),
    COMPANY_CEASED: gettext_noop(
        "Cette entreprise est déclarée cessée au répertoire SIRENE : elle ne peut pas bénéficier du "
        "programme. Si c'est une erreur, contactez votre greffe ou l'Insee."
    ),
    UNKNOWN_SIRET: gettext_noop(
        "Nous ne trouvons pas cet établissement (SIRET) dans le répertoire. Indiquez plutôt le SIREN, "
        "c'est-à-dire les 9 premiers chiffres."
    ),
    ESTABLISHMENT_CLOSED: gettext_noop(
        "Cet établissement est fermé au répertoire SIRENE. Indiquez le SIRET d'un établissement ouvert, "
        "ou simplement le SIREN (9 chiffres)."
    ),
}


# A well-formed number the registry does not know names nothing (404); a ceased company or a closed
# establishment exists but cannot take part in its current state (409). A malformed number stays a 400.
STATUS = {
    UNKNOWN_SIREN: NotFound,
    UNKNOWN_SIRET: NotFound,
    COMPANY_CEASED: Conflict,
    ESTABLISHMENT_CLOSED: Conflict,
}


def refusal(code, field="siren"):
    """The ServiceError of a refused lookup, with its one message (and its HTTP status in the API)."""
    return STATUS.get(code, ServiceError)(code, REFUSALS[code], field)


class ImportedRegistry:
    """The registry as imported from INSEE's stock files into our database."""

    def find_company(self, siren):
        return Company.objects.select_related("departement__region").filter(siren=siren).first()

    def find_establishment(self, siret):
        return (
            Establishment.objects.select_related("company__departement__region").filter(siret=siret).first()
        )


_registry = ImportedRegistry()


def get_registry():
    return _registry


def normalise(number):
    """'732 829 320' -> '732829320'; identifiers are typed with spaces and dots."""
    return "".join(ch for ch in str(number or "") if ch.isalnum())


def find_company(siren):
    """The Company with this SIREN, or None (unknown or malformed number)."""
    siren = normalise(siren)
    if not (len(siren) == 9 and siren.isdigit() and siren_checker.is_valid(siren)):
        return None
    return get_registry().find_company(siren)


def find_establishment(siret):
    """The Establishment with this SIRET (with its company), or None."""
    siret = normalise(siret)
    if not (len(siret) == 14 and siret.isdigit() and siret_checker.is_valid(siret)):
        return None
    return get_registry().find_establishment(siret)


def region_of(company):
    """The Region of the company's head office, or None when its location is unknown."""
    if company is None or company.departement_id is None:
        return None
    return company.departement.region


def ensure_active(company, field="siren"):
    """Refuse a company SIRENE declares ceased (services check it again on the company they are given)."""
    if not company.is_active:
        raise refusal(COMPANY_CEASED, field)


def company_for(identifier, field="siren", *, establishment=False):
    """The active company a person names by its SIREN or a SIRET: `(company, establishment)`.

    Refuses a malformed number (core.validators' codes), an unknown SIREN and a ceased company.
    With `establishment=True` the caller keeps the establishment a SIRET names: it must be in the
    registry and open (`unknown_siret`, `establishment_closed`); otherwise a SIRET stands for its
    company and the establishment returned is None, as it is for a SIREN.
    Partially diffusible companies are found like the others: callers hide their masked fields.
    """
    siren, siret = clean_siren_or_siret(identifier, field)
    company = find_company(siren)
    if company is None:
        raise refusal(UNKNOWN_SIREN, field)
    ensure_active(company, field)
    if not (establishment and siret):
        return company, None
    found = find_establishment(siret)
    if found is None or found.company_id != company.pk:
        raise refusal(UNKNOWN_SIRET, field)
    if found.state == Establishment.State.CLOSED:
        raise refusal(ESTABLISHMENT_CLOSED, field)
    return company, found
