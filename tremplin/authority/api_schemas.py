"""Request and response shapes of the right to act for a company: declarations and mandates."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from tremplin.api.schemas import BirthDate, Email, NonBlank, SirenOrSiret
from tremplin.authority.models import Capacity, Mandate

SIREN = Field(description="SIREN (9 chiffres) ou SIRET (14 chiffres) de l'entreprise.")


class RepresentationIn(Schema):
    siren: SirenOrSiret = SIREN
    capacity: Capacity = Field(
        description="representative : représentant légal ou entrepreneur individuel ; mandate_holder : "
        "personne mandatée par un représentant légal."
    )
    given_names: NonBlank(150) = Field(description="Prénoms, comme sur la pièce d'identité.")
    family_name: NonBlank(150) = Field(description="Nom de famille, comme sur la pièce d'identité.")
    birth_date: BirthDate


class MandateRef(Schema):
    id: int
    kind: str
    grantor_name: str
    valid_until: date | None
    active: bool


class RepresentationOut(Schema):
    id: int
    siren: str
    company_name: str
    capacity: str
    given_names: str
    family_name: str
    birth_date: BirthDate
    status: str = Field(description="pending, verified, refused ou revoked.")
    basis: str = Field(
        description="Fondement d'une qualité vérifiée : registry (registre des entreprises), mandate "
        "(mandat d'un représentant légal), advisor (pièces confirmées par un conseiller) ; vide sinon."
    )
    outcome: str = Field(description="Ce que le dossier affiche, en clair.")
    matched_role: str = Field(description="Qualité au registre quand le nom y figure (Gérant, Président…).")
    matched_source: str = Field(description="Source de la vérification : RNE, SIRENE…")
    mandate: MandateRef | None
    has_documents: bool = Field(description="L'extrait du registre et l'attestation signée sont déposés.")
    extract_issued_on: date | None
    checklist: list[str] = Field(
        description="Les points vérifiés par le conseiller qui a confirmé les pièces."
    )
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MandateIn(Schema):
    siren: SirenOrSiret = SIREN
    holder_email: Email = Field(description="Adresse électronique de la personne mandatée.")
    holder_name: NonBlank(150)
    kind: Mandate.Kind
    valid_until: date | None = Field(None, description="Fin du mandat (facultatif : jusqu'à révocation).")


class MandateOut(Schema):
    id: int
    siren: str
    company_name: str
    holder_email: str
    holder_name: str
    kind: str
    kind_label: str
    grantor_name: str
    valid_until: date | None
    active: bool
    created_at: datetime
    revoked_at: datetime | None


class MandatesOut(Schema):
    given: list[MandateOut] = Field(
        description="Les mandats des entreprises dont vous êtes représentant légal vérifié."
    )
    held: list[MandateOut] = Field(description="Les mandats qui vous sont donnés.")
