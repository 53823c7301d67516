"""Base types of the API schemas, for every app's router. Amounts are integer cents; dates are ISO 8601."""

import enum
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StringConstraints

# 1 bn EUR: far beyond any voucher, far below the 64-bit columns that store cents.
MAX_CENTS = 100_000_000_000
MAX_ID = 2**53


def _whole_number(value):
    # JSON Schema counts 4.0 as an integer: take it as 4. 4.5, "4" and true stay refused (StrictInt).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A JSON integer: 4 or 4.0, never "4", 4.5 or true.
WholeNumber = Annotated[StrictInt, BeforeValidator(_whole_number)]


def Whole(**bounds):  # noqa: N802 (reads as a type)
    """A WholeNumber within bounds (ge, gt, le, lt) that the OpenAPI document states.

    The bounds go before the validator: after it (`Annotated[WholeNumber, Field(ge=1)]`) pydantic still
    checks them but writes them as unknown keywords ("ge": 1) instead of "minimum", so clients and
    fuzzers never learn them.
    """
    return Annotated[StrictInt, Field(**bounds), BeforeValidator(_whole_number)]


Cents = Whole(ge=0, le=MAX_CENTS)
PositiveCents = Whole(gt=0, le=MAX_CENTS)
# Multipart forms carry text: "400000" is read as a number there, "4000.5" or "abc" are not.
FormCents = Annotated[int, Field(gt=0, le=MAX_CENTS)]


def Text(max_length, min_length=0):  # noqa: N802 (reads as a type)
    # PostgreSQL refuses NUL characters in text: refuse them here rather than fail there.
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$")
    ]


def api_enum(name, choices):
    """The values of a model's `choices` as an enum of its own name in the OpenAPI document.

    Ninja names a component after its class: the models' three enums called `State` (files, diagnostics,
    quotes) would collapse into one, and `GET /applications?state=` would document a diagnostic's states.
    """
    return enum.StrEnum(name, {member.name: member.value for member in choices})


def Identifier(max_length, **keywords):  # noqa: N802 (reads as a type)
    """A string the services check themselves, with the JSON Schema keywords the OpenAPI document states.

    The services refuse what does not fit with their own French messages (400 `invalid_siren`…): the
    schema tells clients (and fuzzers) the shape of a value that passes, the pattern saying more than a
    length would (the length and NUL checks stay here, out of the document). `format` names the check
    the pattern cannot spell (a Luhn key, the IBAN's mod 97); scripts/schemathesis_hooks.py generates
    values of these formats.
    """

    def check(value):
        if len(value) > max_length:
            raise ValueError(f"{max_length} caractères au plus.")
        if "\x00" in value:
            raise ValueError("Caractère NUL refusé.")
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra=keywords)]


# A company named by its SIREN (9 digits, a Luhn key) or one of its SIRETs (14 digits); spaces are
# ignored. A well-formed number the registry does not know is a 404 (`unknown_siren`).
SirenOrSiret = Identifier(
    20,
    pattern=r"^[0-9]{9}([0-9]{5})?$",
    format="siren",
    examples=["732829320"],
)
Siren = Identifier(20, pattern=r"^[0-9]{9}$", format="siren", examples=["732829320"])
Siret = Identifier(20, pattern=r"^[0-9]{14}$", format="siret", examples=["73282932000074"])
# An IBAN with a valid mod-97 key and its country's length; spaces are ignored.
Iban = Identifier(
    64,
    pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$",
    format="iban",
    examples=["FR7630006000011234567890189"],
)
# Checked with Django's e-mail validator.
Email = Identifier(254, format="email", examples=["nom@exemple.fr"])


NON_BLANK = {"minLength": 1, "pattern": r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"}


def NonBlank(max_length):  # noqa: N802 (reads as a type)
    """Text a service strips (Python's str.strip: Unicode spaces, the separators U+001C to U+001F and
    U+0085) and then requires: at least one character that is none of them."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_length, pattern=r"^[^\x00]*$"),
        Field(json_schema_extra=NON_BLANK),
    ]


# A date of birth 16 to 110 years ago (tremplin.authority.services refuses others: `invalid_birth_date`).
# JSON Schema cannot compare dates: the format "birth-date" names the rule (no pattern: one of digits would
# admit "0000-00-00").
BirthDate = Annotated[
    date,
    Field(
        description="Date de naissance (AAAA-MM-JJ), il y a 16 à 110 ans.",
        json_schema_extra={"format": "birth-date", "examples": ["1980-04-02"]},
    ),
]
