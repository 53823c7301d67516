"""Request and response shapes of the voucher files and of the lottery. Amounts are integer cents."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool

from tremplin.api.schemas import (
    MAX_ID,
    NON_BLANK,
    Cents,
    Iban,
    NonBlank,
    PositiveCents,
    Siren,
    SirenOrSiret,
    Siret,
    Text,
    Whole,
)
from tremplin.authority.api_schemas import RepresentationOut
from tremplin.authority.services import CHECKLIST
from tremplin.core.language import in_programme_language
from tremplin.registry.api import CompanyOut
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers.models import RejectionReason
from tremplin.vouchers.services import FOREIGN_CHECK, PAYEE_CHECKLIST


def _keys(points):
    """The keys of a checklist, and their meaning for the OpenAPI description."""
    with in_programme_language():
        described = " ".join(f"{key} : {label}" for key, label in points)
    return Literal[tuple(key for key, _label in points)], described


# --- lottery ------------------------------------------------------------------------------------


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
    siren: SirenOrSiret | None = Field(None, description="SIREN (9 chiffres) ou SIRET (14 chiffres).")
    siret: Siret | None = Field(None, description="SIRET de l'établissement concerné (facultatif).")

    # One of the two names the company (400 `missing` otherwise); a SIRET given names its establishment.
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["siren"], "properties": {"siren": {"type": "string"}}},
                {"required": ["siret"], "properties": {"siret": {"type": "string"}}},
            ]
        }
    }


class LinkedCompanyIn(Schema):
    siren: Siren = Field(description="SIREN (9 chiffres, clé de contrôle comprise) de l'entreprise liée.")
    name: Text(255) = Field("", description="Son nom, seulement si le répertoire SIRENE ne la connaît pas.")
    de_minimis_cents: Cents = Field(
        description="Les aides de minimis qu'elle a reçues sur les 3 dernières années, en centimes (chèques "
        "du programme exclus : ils sont comptés par la plateforme)."
    )


class ApplicationUpdate(Schema):
    """Only the fields sent are changed; null clears a field."""

    declared_headcount: Whole(ge=0, le=10_000_000) | None = None
    declared_turnover_cents: Cents | None = None
    declared_de_minimis_cents: Cents | None = Field(
        None,
        description="Les aides de minimis reçues par l'entreprise sur les 3 dernières années, en centimes "
        "(chèques du programme exclus : ils sont comptés par la plateforme).",
    )
    # true or false only: 0 and 1, or "true", are refused (422) rather than read as a yes or a no.
    has_linked_companies: StrictBool | None = Field(
        None,
        description="L'entreprise est-elle liée à d'autres (« entreprise unique », règlement (UE) 2023/2831, "
        "art. 2, § 2) ? Obligatoire pour déposer.",
    )
    linked_companies: list[LinkedCompanyIn] | None = Field(
        None,
        max_length=20,
        description="Les entreprises liées et leurs aides de minimis : remplace la liste déclarée (liste vide : "
        "aucune). Une liste non vide vaut has_linked_companies = true.",
    )
    iban: Iban | None = None
    account_holder: Text(70) | None = None
    provider_id: Whole(ge=1, le=MAX_ID) | None = None
    # One of the programme's categories (JSON Schema enum); the file's scheme may cover fewer: 400
    # `category_not_eligible` then.
    spend_category: Literal[tuple(SpendCategory.values)] | None = None
    project_description: Text(5000) | None = None
    planned_spend_cents: PositiveCents | None = None


class MessageIn(Schema):
    message: NonBlank(5000)


class NoteIn(Schema):
    note: Text(5000) = ""


class RejectIn(Schema):
    reason: RejectionReason
    text: Text(5000) = Field("", description="Précision du motif ; nécessaire pour le motif « other ».")

    # reason "other" needs a text (400 `missing`, field text, otherwise).
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"properties": {"reason": {"not": {"const": RejectionReason.OTHER.value}}}},
                {"properties": {"text": NON_BLANK}, "required": ["text"]},
            ]
        }
    }


class ReasonIn(Schema):
    reason: Text(5000) = ""


class RequiredReasonIn(Schema):
    reason: NonBlank(5000)


class RequiredNoteIn(Schema):
    note: NonBlank(5000) = Field(description="Le motif, envoyé au demandeur.")


AuthorityCheck, AUTHORITY_POINTS = _keys(CHECKLIST)
PayeeCheck, PAYEE_POINTS = _keys([*PAYEE_CHECKLIST, FOREIGN_CHECK])


class AuthorityChecklistIn(Schema):
    checklist: list[AuthorityCheck] = Field(
        description=f"Les points vérifiés sur les pièces, tous nécessaires. {AUTHORITY_POINTS}"
    )


class PayeeChecklistIn(Schema):
    checklist: list[PayeeCheck] = Field(
        description="Les points vérifiés sur le RIB, tous nécessaires (foreign_account pour un compte tenu "
        f"hors de France). {PAYEE_POINTS}"
    )


class ContestIn(Schema):
    siren: SirenOrSiret = Field(description="SIREN (9 chiffres) ou SIRET (14 chiffres) de l'entreprise.")
    reason: NonBlank(5000) = Field(description="Pourquoi vous contestez la demande, en une phrase ou deux.")


class ContestOut(Schema):
    reference: str
    state: str
    state_label: str


class PayeeOut(Schema):
    outcome: str = Field(
        description="Vérification du bénéficiaire : match, close_match, no_match, not_possible ; vide sans IBAN."
    )
    outcome_label: str
    bank_holder_name: str = Field(
        description="Le nom connu de la banque (donné sur un nom proche seulement)."
    )
    verified: bool = Field(
        description="Le compte est celui de l'entreprise : nom identique sur un IBAN français, ou "
        "confirmation du conseiller sur le RIB depuis le dernier changement."
    )
    foreign: bool = Field(description="Compte tenu hors de France.")
    changed_after_approval: bool = Field(description="IBAN changé après l'accord : à confirmer à nouveau.")
    has_bank_document: bool
    checked_at: datetime | None
    confirmed_at: datetime | None


class ProviderOut(Schema):
    id: int
    name: str
    siret: str


class RuleOut(Schema):
    kind: str
    label: str
    passed: bool | None
    message: str


class LinkedCompanyOut(Schema):
    siren: str
    name: str
    de_minimis_cents: int
    in_registry: bool = Field(description="Le SIREN est au répertoire SIRENE de la plateforme.")


class LinkedAidOut(Schema):
    siren: str
    name: str
    de_minimis_cents: int


class GrantOut(Schema):
    reference: str
    siren: str
    granted_on: date = Field(description="Date d'octroi : celle de l'accord du chèque, pas du paiement.")
    amount_cents: int


class DeMinimisOut(Schema):
    """The de minimis check over the single undertaking, on the 3 years ending on `checked_on`."""

    regulation: str
    checked_on: date
    period_start: date = Field(description="Premier jour de la période de 3 ans (inclus).")
    period_end: date = Field(description="Dernier jour de la période de 3 ans (inclus).")
    ceiling_cents: int
    declared_cents: int | None = Field(description="Aides déclarées pour l'entreprise elle-même.")
    has_linked_companies: bool | None
    linked_companies: list[LinkedAidOut]
    linked_cents: int
    granted: list[GrantOut] = Field(
        description="Chèques du programme accordés dans la période à une entreprise de l'entreprise unique."
    )
    granted_cents: int
    this_voucher_cents: int
    total_cents: int
    passed: bool | None = Field(description="null tant qu'une déclaration manque.")


class DeMinimisChecksOut(Schema):
    submission: DeMinimisOut | None = None
    approval: DeMinimisOut | None = None


class ProblemOut(Schema):
    code: str
    message: str
    field: str | None = None


class CheckOut(Schema):
    ready: bool = Field(description="Tout ce que le dépôt vérifie est en ordre : il ne reste qu'à déposer.")
    checked_at: datetime | None = Field(description="Quand le brouillon a été trouvé prêt (vide sinon).")
    submission_opens_at: datetime = Field(description="Ouverture des dépôts du dispositif.")
    problems: list[ProblemOut] = Field(
        description="Ce qui empêcherait le dépôt, dans l'ordre où le corriger."
    )


class EligibilityOut(Schema):
    eligible: bool
    evaluated_on: date
    rules: list[RuleOut]
    de_minimis: DeMinimisOut | None = Field(
        None, description="Le détail du plafond de minimis, quand le dispositif en a un."
    )


class ClaimOut(Schema):
    invoiced_spend_cents: int
    payable_cents: int
    invoice_number: str
    invoice_date: date | None
    flags: list[str]
    # "read": a Factur-X invoice was read (its discrepancies are in `flags`); "unreadable": Factur-X
    # data was there but could not be read; "plain": a plain PDF, nothing was read or checked.
    invoice_reading: Literal["read", "unreadable", "plain"]
    submitted_at: datetime
    approved_at: datetime | None = Field(description="Quand le conseiller a validé la demande de paiement.")
    expected_payment_on: date | None = Field(
        description=(
            "Date de paiement attendue : la date d'exécution du lot de virements qui contient le dossier, sinon "
            "la validation plus le délai cible de paiement du dispositif, reportée au lundi si elle tombe un "
            "week-end ; la date du paiement une fois payé ; vide avant la validation."
        )
    )
    paid_on: date | None = Field(description="Date du paiement, une fois le lot de virements payé.")


class EventOut(Schema):
    at: datetime
    action: str
    label: str = Field(description="The event in plain words, in the language asked for.")
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
    submitted_at: datetime | None = Field(description="Heure de réception du dépôt par le serveur.")
    valid_until: date | None


class ApplicationDetail(ApplicationSummary):
    company: CompanyOut
    establishment_siret: str | None
    declared_headcount: int | None
    declared_turnover_cents: int | None
    declared_de_minimis_cents: int | None
    has_linked_companies: bool | None
    linked_companies: list[LinkedCompanyOut] = Field(description="Masquées pour les prestataires.")
    de_minimis_check: DeMinimisChecksOut = Field(
        description="Le contrôle du plafond de minimis tel qu'il a tourné au dépôt et à l'accord ; masqué pour "
        "les prestataires."
    )
    iban: str | None = Field(description="Masqué pour les prestataires.")
    account_holder: str
    provider: ProviderOut | None
    spend_category: str
    project_description: str
    has_quote: bool
    authority: RepresentationOut | None = Field(
        description="Qui demande et à quel titre, et comment c'est établi ; masqué pour les prestataires."
    )
    payee: PayeeOut | None = Field(
        description="Vérification du compte bancaire ; masquée pour les prestataires."
    )
    queue_rank: int | None = Field(
        description="Numéro d'arrivée de la demande dans le budget de sa région (premier arrivé, premier "
        "servi) : l'ordre de réception enregistré par le serveur, qui décide du financement et de la liste "
        "d'attente. Vide pour un brouillon et pour un dispositif par tirage au sort."
    )
    waitlist_position: int | None = Field(
        description="Place sur la liste d'attente du budget de sa région (1 : la prochaine demande financée "
        "quand un budget se libère), calculée à chaque lecture : elle avance quand une demande placée avant "
        "est financée ou retirée. Vide hors liste d'attente."
    )
    checked_at: datetime | None = Field(
        description="Quand « Vérifier mon dossier » a trouvé le brouillon prêt (toutes les vérifications du "
        "dépôt, sans rien réserver) ; effacé dès que le brouillon change. Le dépôt vérifie tout à nouveau."
    )
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
