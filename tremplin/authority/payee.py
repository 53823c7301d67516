"""Verification of payee: is this IBAN's account held by this name? An adapter, chosen by configuration.

The EU Verification of Payee answers MATCH, CLOSE MATCH (with the holder's name), NO MATCH or NOT
POSSIBLE. `settings.PAYEE_VERIFICATION = {"BACKEND": dotted path, "OPTIONS": {...}}`; a backend has
one method, `verify(iban, name) -> Answer`. The one shipped here reads the accounts a bank would know
from a CSV file (iban, titulaire), for the demo and the tests; a bank's or a VoP provider's API plugs
in by naming its class. An IBAN the file does not know answers NOT POSSIBLE, as a bank outside the
scheme would.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from tremplin.authority.files import WatchedCsv
from tremplin.authority.matching import compare_names


class Outcome(models.TextChoices):
    MATCH = "match", _("Le nom correspond")
    CLOSE_MATCH = "close_match", _("Le nom est proche")
    NO_MATCH = "no_match", _("Le nom ne correspond pas")
    NOT_POSSIBLE = "not_possible", _("Vérification impossible")


@dataclass(frozen=True)
class Answer:
    outcome: str
    # The holder's name as the bank knows it (given back on a close match only, as VoP does).
    holder_name: str = ""


class BankFile:
    COLUMNS = ("iban", "titulaire")

    def __init__(self, path):
        self.file = WatchedCsv(
            path,
            self.COLUMNS,
            lambda rows: {"".join(r["iban"].split()).upper(): r["titulaire"] for r in rows},
        )

    def verify(self, iban, name):
        holder = self.file.get().get(iban)
        if holder is None or not name:
            return Answer(Outcome.NOT_POSSIBLE)
        outcome = compare_names(name, holder)
        return Answer(outcome, holder if outcome == Outcome.CLOSE_MATCH else "")


@lru_cache(maxsize=4)
def _backend(dotted, options):
    return import_string(dotted)(**dict(options))


def verify(iban: str, name: str) -> Answer:
    """Ask the configured backend, with the IBAN in its compact form (as a bank file or API knows it)."""
    config = settings.PAYEE_VERIFICATION
    backend = _backend(config["BACKEND"], tuple(sorted(config.get("OPTIONS", {}).items())))
    return backend.verify("".join((iban or "").split()).upper(), name)


def is_foreign(iban: str) -> bool:
    """Accounts outside France (overseas départements use FR too) are flagged for the advisor."""
    return bool(iban) and not iban.upper().startswith("FR")
