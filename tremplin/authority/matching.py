"""Comparing people's and companies' names the way a register or a bank does: accents, case, punctuation
and legal-form words do not count. Pure functions."""

import re
from difflib import SequenceMatcher

from text_unidecode import unidecode

# Legal-form words a company name may carry or not ("SARL Boulangerie Martin" = "Boulangerie Martin").
LEGAL_FORM_WORDS = {
    "SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCOP", "SCP", "SELARL", "SELAS", "EI", "EIRL",
    "SOCIETE", "STE", "ENTREPRISE", "INDIVIDUELLE", "ETS", "ETABLISSEMENTS",
}  # fmt: skip
CLOSE_RATIO = 0.85


def tokens(name: str) -> list[str]:
    return re.sub(r"[^A-Z0-9]+", " ", unidecode(name or "").upper()).split()


def same_person(given_names, family_name, birth_date, representative) -> bool:
    """Same family name, the first given name among the representative's, same month of birth when known."""
    if not tokens(family_name) or tokens(family_name) != tokens(representative.family_name):
        return False
    declared = tokens(given_names)
    listed = tokens(representative.given_names)
    if not declared or not listed or declared[0] not in listed:
        return False
    if representative.birth_month and birth_date:
        return birth_date.strftime("%Y-%m") == representative.birth_month
    return True


def company_words(name: str) -> list[str]:
    return [t for t in tokens(name) if t not in LEGAL_FORM_WORDS]


def compare_names(expected: str, held_by: str) -> str:
    """'match', 'close_match' or 'no_match' between the name we expect and the account holder's."""
    a, b = company_words(expected), company_words(held_by)
    if not a or not b:
        return "no_match"
    if a == b:
        return "match"
    if sorted(a) == sorted(b) or set(a) <= set(b) or set(b) <= set(a):
        return "close_match"
    if SequenceMatcher(None, " ".join(a), " ".join(b)).ratio() >= CLOSE_RATIO:
        return "close_match"
    return "no_match"
