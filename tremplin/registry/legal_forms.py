"""INSEE's legal categories (catégories juridiques) by their labels, from data/reference/.

SIRENE gives a company's category as a 4-digit code (`5710`, `9220`); schemes exclude categories by
the first digits of that code, i.e. by level I (1 digit) or level II (2 digits) of the nomenclature.
The file ships these two levels, with INSEE's labels (see data/README.md); a code is named by the most
precise level shipped, so `9220` reads "Association loi 1901 ou assimilé".
"""

from functools import cache

from tremplin.registry.reference import read_rows

FILE = "categories_juridiques.csv"


@cache
def _labels():
    return {row["code"]: row["label"] for row in read_rows(FILE)}


def label(code):
    """The label of a category code or prefix, or None when the nomenclature does not know it."""
    code = str(code or "")
    known = _labels()
    for length in (2, 1):
        if len(code) >= length and code[:length] in known:
            return known[code[:length]]
    return None


def labels(prefixes):
    """The labels of the prefixes the nomenclature knows, in the order given, each once."""
    found = [label(prefix) for prefix in prefixes]
    return list(dict.fromkeys(text for text in found if text))


def _lower_first(text):
    return text[:1].lower() + text[1:]


def summary(prefixes):
    """The prefixes' labels in one phrase that reads inside a sentence ("société civile, fondation")."""
    return ", ".join(_lower_first(text) for text in labels(prefixes))
