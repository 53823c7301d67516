"""Generators for the string formats and the file type the API's OpenAPI document names (scripts/fuzz-api.sh
loads this module through SCHEMATHESIS_HOOKS).

The document says which values pass where a pattern cannot (tremplin.api.schemas): a SIREN or SIRET with
its Luhn key, an IBAN with its mod-97 key and its country's length, a plausible birth date, a PDF for
every uploaded document. Schemathesis knows none of these formats, so without a generator it would send
any string and count the API's refusal as a schema-valid request rejected. Each generator below only
produces values the API's own validators (python-stdnum, pypdf) accept; none of them is a known record:
a SIREN drawn here is almost never in the registry and is answered 404.
"""

from datetime import date, timedelta
from io import BytesIO

import schemathesis
from hypothesis import strategies as st
from pypdf import PdfWriter
from schemathesis.transport.serialization import Binary
from stdnum import iban, luhn
from stdnum.fr import siren, siret

DIGITS = "0123456789"


def _luhn_completed(length):
    return st.text(DIGITS, min_size=length - 1, max_size=length - 1).map(
        lambda d: d + luhn.calc_check_digit(d)
    )


# 14 digits with a Luhn key; La Poste's SIRETs (356 000 000) follow another rule, the filter keeps them out.
SIRENS = _luhn_completed(9).filter(siren.is_valid)
SIRETS = _luhn_completed(14).filter(siret.is_valid)


def _french_iban(bank, branch, account):
    """A French IBAN: the RIB key (97 - (89 bank + 15 branch + 3 account) mod 97) then the IBAN's own."""
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return f"FR{iban.calc_check_digits('FR00' + bban)}{bban}"


FRENCH_IBANS = st.builds(
    _french_iban,
    st.text(DIGITS, min_size=5, max_size=5),
    st.text(DIGITS, min_size=5, max_size=5),
    st.text(DIGITS, min_size=11, max_size=11),
)
# An account held outside France (Germany's BBAN is 18 digits): the API takes it, an advisor checks it.
GERMAN_IBANS = st.text(DIGITS, min_size=18, max_size=18).map(
    lambda b: "DE" + iban.calc_check_digits("DE00" + b) + b
)
IBANS = st.one_of(FRENCH_IBANS, GERMAN_IBANS).filter(lambda v: iban.is_valid(v, check_country=True))

# Between 17 and 109 years ago: inside the window tremplin.authority.services accepts (16 to 110 years).
BIRTH_DATES = st.integers(min_value=17 * 366, max_value=109 * 365).map(
    lambda days: (date.today() - timedelta(days=days)).isoformat()
)

# A register extract of the last 3 months (92 days in tremplin.authority.services), a day of margin each
# side for the server's time zone.
RECENT_DATES = st.integers(min_value=1, max_value=90).map(
    lambda days: (date.today() - timedelta(days=days)).isoformat()
)


def _pdf(pages):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


PDFS = st.integers(min_value=1, max_value=3).map(_pdf)

schemathesis.openapi.format("siren", SIRENS)
schemathesis.openapi.format("siret", SIRETS)
schemathesis.openapi.format("iban", IBANS)
schemathesis.openapi.format("birth-date", BIRTH_DATES)
schemathesis.openapi.format("recent-date", RECENT_DATES)
# Every file part of this API is a PDF, as each multipart `encoding` says; a file part is `format: binary`.
# The PDFs go there rather than in a strategy for the media type application/pdf: with one, schemathesis
# 4.32's coverage phase fills the body's other required fields with "" (not an integer, not an enum
# value) and calls it a valid request; and its examples phase ignores `encoding` anyway.
schemathesis.openapi.format("binary", PDFS.map(Binary))


def unique_linked_companies(body):
    """`body` of `update_application` with the constraints its JSON Schema cannot say on `linked_companies`:
    each SIREN once (uniqueItems compares whole items, so two items with one SIREN and different amounts
    pass it), and no "no linked company" beside a non-empty list. The API refuses either with a 400 its
    operation documents (`linked_duplicate`, `linked_companies_declared`); the first item of a SIREN is kept."""
    if not isinstance(body, dict) or not isinstance(body.get("linked_companies"), list):
        return body
    seen, kept = set(), []
    for item in body["linked_companies"]:
        siren = item.get("siren") if isinstance(item, dict) else None
        if isinstance(siren, str):
            siren = siren.replace(" ", "")
            if siren in seen:
                continue
            seen.add(siren)
        kept.append(item)
    body = {**body, "linked_companies": kept}
    if kept and body.get("has_linked_companies") is False:
        body["has_linked_companies"] = True
    return body


# Positive cases only: a negative one may break the schema through `linked_companies` itself (more items than
# maxItems), which removing a repeated SIREN could repair. A case hook, not a body one: schemathesis runs case
# hooks in every phase, the coverage phase included.
@schemathesis.hook.apply_to(operation_id="update_application")
def map_case(context, case):
    if case.meta is None or case.meta.generation.mode == "positive":
        case.body = unique_linked_companies(case.body)
    return case
