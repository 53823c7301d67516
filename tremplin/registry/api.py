"""The registry in the API: public data of a company, and the shape every router shows a company in."""

from datetime import date
from typing import Annotated

from ninja import Path, Router, Schema
from pydantic import Field

from tremplin.api.errors import NotFound, responses
from tremplin.api.schemas import Siren
from tremplin.core.validators import clean_siren
from tremplin.registry import lookup
from tremplin.registry.models import Diffusion

router = Router(tags=["Répertoire"])

HIDDEN = "[ND]"
HIDDEN_NAME = "Entreprise individuelle (nom non diffusible)"


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


def _shown(value):
    return "" if value == HIDDEN else (value or "")


def company_name(c):
    name = _shown(c.denomination)
    if not name and c.diffusion != Diffusion.PARTIAL:
        name = " ".join(p for p in (_shown(c.first_name), _shown(c.last_name)) if p)
    return name or HIDDEN_NAME


def company_out(c):
    """Public registry data. Under partial diffusion (P) names, acronym and address are never shown."""
    partial = c.diffusion == Diffusion.PARTIAL
    dep = c.departement
    nic = _shown(c.head_office_nic)
    return {
        "siren": c.siren,
        "name": company_name(c),
        "diffusion": c.diffusion,
        "state": c.state,
        "active": c.is_active,
        "created_on": c.created_on,
        "acronym": None if partial else (_shown(c.acronym) or None),
        "legal_form": _shown(c.legal_form),
        "naf_code": _shown(c.naf_code),
        "naf2025_code": _shown(c.naf2025_code),
        "headcount_bracket": _shown(c.headcount_bracket),
        "headcount_year": c.headcount_year,
        "category": _shown(c.category),
        "head_office_siret": c.siren + nic if nic else None,
        "head_office_postal_code": None if partial else (_shown(c.head_office_postal_code) or None),
        "head_office_commune_code": _shown(c.head_office_commune_code),
        "departement": {"code": dep.code, "name": dep.name} if dep else None,
        "region": {"code": dep.region.code, "name": dep.region.name} if dep else None,
    }


def unknown_siren_message(siren):
    return (
        f"Aucune entreprise ne porte le numéro SIREN {siren} dans le répertoire SIRENE : vérifiez le numéro."
    )


@router.get("/companies/{siren}", response=responses(200, CompanyOut), operation_id="get_company")
def get_company(request, siren: Annotated[Siren, Path()]):
    """Public registry data of a company (fields hidden by SIRENE are never returned)."""
    siren = clean_siren(siren)
    company = lookup.find_company(siren)
    if company is None:
        raise NotFound("unknown_siren", unknown_siren_message(siren), "siren")
    return company_out(company)
