"""Where the platform asks the registry about a company.

Today the answer comes from our own tables, filled by the SIRENE stock import
(`manage.py import_sirene`): no network. The INSEE API (or API Recherche
d'entreprises) will plug in as another `Registry` implementation selected by
`get_registry()`; callers use the module-level functions and never know which.
"""

from stdnum.fr import siren as siren_checker
from stdnum.fr import siret as siret_checker

from tremplin.registry.models import Company, Establishment


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
