"""Request and response shapes. Amounts are integer cents; dates are ISO 8601."""

from datetime import date, datetime
from typing import Annotated

from ninja import Path, Schema
from pydantic import Field, StrictInt, StringConstraints

from tremplin.vouchers.models import RejectionReason

# 1 bn EUR: far beyond any voucher, far below the 64-bit columns that store cents.
MAX_CENTS = 100_000_000_000
MAX_ID = 2**53

Cents = Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)]
PositiveCents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]
# Multipart forms carry text: "400000" is read as a number there, "4000.5" or "abc" are not.
FormCents = Annotated[int, Field(gt=0, le=MAX_CENTS)]
SchemeId = Annotated[int, Path(ge=1, le=MAX_ID)]


def Text(max_length, min_length=0):  # noqa: N802 (reads as a type)
    # PostgreSQL refuses NUL characters in text: refuse them here rather than fail there.
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$")
    ]


# --- registry -----------------------------------------------------------------------------------


class Place(Schema):
    code: str
    name: str


class CompanyOut(Schema):
    siren: str
    name: str
    diffusion: str = Field(description="O : diffusible ; P : partiellement diffusible (champs masqués omis).")
    state: str = Field(description="A : active ; C : cessée.")
    active: bool
    created_on: date | None
    acronym: str | None
    legal_form: str
    naf_code: str
    naf2025_code: str
    headcount_bracket: str
    headcount_year: int | None
    category: str
    head_office_siret: str | None
    head_office_postal_code: str | None
    head_office_commune_code: str
    departement: Place | None
    region: Place | None


# --- schemes ------------------------------------------------------------------------------------


class Choice(Schema):
    code: str
    label: str


class SchemeOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    rate_percent: str = Field(description="Taux de prise en charge, en pourcentage décimal exact.")
    cap_cents: int
    min_spend_cents: int
    spend_categories: list[Choice]
    window_opens_at: datetime
    window_closes_at: datetime
    is_open: bool
    validity_days: int
    review_sla_days: int
    allocation: Choice
    payee: Choice
    rules_version: int
    lottery_seed: str | None = Field(description="Publiée une fois le tirage effectué.")
    lottery_drawn_at: datetime | None


class DrawIn(Schema):
    seed: Text(64, 1) | None = None


class DrawnFile(Schema):
    id: int
    reference: str
    rank: int
    state: str
    funded: bool


class DrawOut(Schema):
    scheme_id: int
    seed: str
    drawn_at: datetime
    files: list[DrawnFile]


# --- applications -------------------------------------------------------------------------------


class ApplicationCreate(Schema):
    scheme_id: int = Field(ge=1, le=MAX_ID)
    siren: Text(20) | None = Field(None, description="SIREN (9 chiffres) ou SIRET (14 chiffres).")
    siret: Text(20) | None = Field(None, description="SIRET de l'établissement concerné (facultatif).")


class ApplicationUpdate(Schema):
    """Only the fields sent are changed; null clears a field."""

    declared_headcount: Annotated[StrictInt, Field(ge=0, le=10_000_000)] | None = None
    declared_turnover_cents: Cents | None = None
    declared_de_minimis_cents: Cents | None = None
    iban: Text(64) | None = None
    account_holder: Text(70) | None = None
    provider_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = None
    spend_category: Text(32) | None = None
    project_description: Text(5000) | None = None
    planned_spend_cents: PositiveCents | None = None


class MessageIn(Schema):
    message: Text(5000, 1)


class NoteIn(Schema):
    note: Text(5000) = ""


class RejectIn(Schema):
    reason: RejectionReason
    text: Text(5000) = ""


class ReasonIn(Schema):
    reason: Text(5000) = ""


class RequiredReasonIn(Schema):
    reason: Text(5000, 1)


class ProviderOut(Schema):
    id: int
    name: str
    siret: str


class RuleOut(Schema):
    kind: str
    label: str
    passed: bool | None
    message: str


class EligibilityOut(Schema):
    eligible: bool
    evaluated_on: date
    rules: list[RuleOut]


class ClaimOut(Schema):
    invoiced_spend_cents: int
    payable_cents: int
    invoice_number: str
    invoice_date: date | None
    flags: list[str]
    submitted_at: datetime


class EventOut(Schema):
    at: datetime
    action: str
    from_state: str
    to_state: str
    reason: str
    actor_role: str | None
    actor_name: str | None


class ApplicationSummary(Schema):
    id: int
    reference: str
    state: str
    state_label: str
    scheme_id: int
    scheme_name: str
    company_siren: str
    company_name: str
    planned_spend_cents: int | None
    amount_cents: int | None
    reserved_cents: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    valid_until: date | None


class ApplicationDetail(ApplicationSummary):
    company: CompanyOut
    establishment_siret: str | None
    declared_headcount: int | None
    declared_turnover_cents: int | None
    declared_de_minimis_cents: int | None
    iban: str | None = Field(description="Masqué pour les prestataires.")
    account_holder: str
    provider: ProviderOut | None
    spend_category: str
    project_description: str
    has_quote: bool
    queue_rank: int | None
    waitlist_position: int | None
    eligibility: list[RuleOut] = Field(description="Vérification enregistrée au dépôt.")
    rules_version: int | None
    decided_at: datetime | None
    claim: ClaimOut | None
    allowed_actions: list[str]
    timeline: list[EventOut]


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ApplicationSummary]


# --- payments -----------------------------------------------------------------------------------


class PaymentLineOut(Schema):
    application_id: int
    reference: str
    amount_cents: int
    creditor_name: str
    creditor_iban: str
    end_to_end_id: str


class PaymentBatchOut(Schema):
    id: int
    scheme_id: int
    state: str
    message_id: str
    created_at: datetime
    execution_date: date
    paid_at: datetime | None
    total_cents: int
    warnings: list[str] = Field(description="Dossiers laissés hors du lot, et pourquoi.")
    lines: list[PaymentLineOut]
