from typing import Annotated

from ninja import Path, Router

from tremplin.api import serialize
from tremplin.api.errors import NotFound, responses
from tremplin.api.schemas import CompanyOut, Text
from tremplin.core.validators import clean_siren
from tremplin.registry import lookup

router = Router(tags=["Répertoire"])


def unknown_siren_message(siren):
    return (
        f"Aucune entreprise ne porte le numéro SIREN {siren} dans le répertoire SIRENE : vérifiez le numéro."
    )


@router.get("/companies/{siren}", response=responses(200, CompanyOut), operation_id="get_company")
def get_company(request, siren: Annotated[Text(20), Path()]):
    """Public registry data of a company (fields hidden by SIRENE are never returned)."""
    siren = clean_siren(siren)
    company = lookup.find_company(siren)
    if company is None:
        raise NotFound("unknown_siren", unknown_siren_message(siren), "siren")
    return serialize.company(company)
