"""Base types of the API schemas, for every app's router. Amounts are integer cents; dates are ISO 8601."""

import enum
from typing import Annotated

from pydantic import BeforeValidator, Field, StrictInt, StringConstraints

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
