"""Who the legal representatives of a company are: an adapter, chosen by configuration.

`settings.AUTHORITY_REPRESENTATIVES = {"BACKEND": dotted path, "OPTIONS": {...}}`. A backend has one
method, `representatives(siren) -> list[Representative]`. The one shipped here reads an extract of
the national business register (RNE) from a CSV file, for the demo and the tests; the real one
(API Entreprise's "mandataires sociaux", or INPI's RNE API) plugs in by naming its class.

A sole trader needs no register: the registry's person is the representative (SIRENE names them,
unless they asked for their name to be hidden).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from tremplin.authority.files import WatchedCsv

SOLE_TRADER_FORM = "1000"


@dataclass(frozen=True)
class Representative:
    family_name: str
    given_names: str
    role: str
    # "YYYY-MM" when the source gives the month of birth (the RNE publishes month and year).
    birth_month: str = ""
    source: str = "RNE"


class RneFile:
    """Representatives read from a CSV file: siren, nom, prenoms, qualite, date_naissance (YYYY-MM).

    The file is indexed once and read again when it changes on disk.
    """

    COLUMNS = ("siren", "nom", "prenoms", "qualite", "date_naissance")

    def __init__(self, path):
        self.file = WatchedCsv(path, self.COLUMNS, self._index)

    @staticmethod
    def _index(rows):
        index = {}
        for row in rows:
            index.setdefault(row["siren"], []).append(
                Representative(
                    family_name=row["nom"],
                    given_names=row["prenoms"],
                    role=row["qualite"],
                    birth_month=row["date_naissance"][:7],
                )
            )
        return index

    def representatives(self, siren):
        return list(self.file.get().get(siren, ()))


@lru_cache(maxsize=4)
def _backend(dotted, options):
    return import_string(dotted)(**dict(options))


def source():
    config = settings.AUTHORITY_REPRESENTATIVES
    return _backend(config["BACKEND"], tuple(sorted(config.get("OPTIONS", {}).items())))


def representatives_of(company) -> list[Representative]:
    """The company's legal representatives: the registry's person for a sole trader, else the register's."""
    people = []
    if company.legal_form == SOLE_TRADER_FORM and company.last_name and not company.is_partially_hidden:
        people.append(
            Representative(
                family_name=company.last_name,
                given_names=company.first_name,
                role="Entrepreneur individuel",
                source="SIRENE",
            )
        )
    return people + source().representatives(company.siren)
