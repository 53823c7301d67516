"""The right to act for a company in the API: one's declarations (and their documents) and the mandates.

Mounted at /api/v1/authority. Each operation calls its service function and nothing else; every object is
fetched through `tremplin.authority.access` (one's own declarations; the mandates one gave, or may give,
and those one holds).
"""

from datetime import date
from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import File, Form, Path, Router, UploadedFile
from ninja.errors import ValidationError as InvalidInput
from ninja.responses import Status

from tremplin.api.errors import responses
from tremplin.api.schemas import MAX_ID
from tremplin.api.uploads import pdf_parts, safe_name
from tremplin.authority import serialize, services
from tremplin.authority.access import (
    get_mandate_for_user,
    get_representation_for_user,
    mandates_for,
    representations_for,
)
from tremplin.authority.api_schemas import (
    MandateIn,
    MandateOut,
    MandatesOut,
    RepresentationIn,
    RepresentationOut,
)
from tremplin.authority.models import Capacity, Representation
from tremplin.core.errors import ServiceError
from tremplin.registry import lookup

router = Router(tags=["Qualité pour agir"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _representation(user, pk):
    return serialize.representation(get_representation_for_user(user, pk))


# --- declarations ---------------------------------------------------------------------------------


@router.get(
    "/representations", response=responses(200, list[RepresentationOut]), operation_id="list_representations"
)
def list_representations(request):
    """Your own declarations, one per company you act for."""
    qs = representations_for(request.auth).order_by("company__denomination", "company__siren")
    return [serialize.representation(rep) for rep in qs]


@router.post(
    "/representations", response=responses(200, RepresentationOut), operation_id="declare_representation"
)
def declare_representation(request, payload: RepresentationIn):
    """Say who you are and in what capacity you act for the company (business owner's account).

    A legal representative is looked up in the business register (RNE), a sole trader in SIRENE; a
    mandate holder needs a mandate given by a verified legal representative. Declaring again with other
    details is checked afresh. When the register cannot tell, send the documents
    (`POST /representations/{id}/documents`): an advisor checks them before anything is reserved.
    """
    company, _establishment = lookup.company_for(payload.siren, "siren")
    rep = services.declare(
        request.auth,
        company,
        capacity=payload.capacity,
        given_names=payload.given_names,
        family_name=payload.family_name,
        birth_date=payload.birth_date,
    )
    return _representation(request.auth, rep.pk)


@router.post(
    "/representations/{representation_id}/documents",
    response=responses(200, RepresentationOut),
    operation_id="add_representation_documents",
    # Something to add: the extract's date (with the extract, or to correct it), or the statement alone;
    # 400 `missing` otherwise. The date is at most 3 months old (400 `extract_too_old`, `invalid_date`).
    openapi_extra=pdf_parts(
        "register_extract",
        "statement",
        schema={
            "anyOf": [{"required": ["extract_issued_on"]}, {"required": ["statement"]}],
            "dependentRequired": {"register_extract": ["extract_issued_on"]},
            "properties": {
                "extract_issued_on": {
                    "format": "recent-date",
                    "description": (
                        "Date de l'extrait (AAAA-MM-JJ), dans les 3 derniers mois ; "
                        "vide (ou « null ») quand aucun extrait n'est envoyé."
                    ),
                }
            },
        },
    ),
)
def add_representation_documents(
    request,
    representation_id: Id,
    register_extract: File[UploadedFile] = None,
    extract_issued_on: Form[str] = None,
    statement: File[UploadedFile] = None,
):
    """Send an extract of the business register of less than 3 months (Kbis or RNE extract, PDF, with its
    date) and the statement signed by a legal representative (PDF); one may come before the other."""
    extract_issued_on = _form_date(extract_issued_on, "extract_issued_on")
    rep = get_representation_for_user(request.auth, representation_id)
    if not (register_extract or statement or extract_issued_on):
        raise ServiceError(
            "missing_file",
            "Ajoutez l'extrait du registre (avec sa date) ou l'attestation signée, au format PDF.",
            "register_extract",
        )
    services.add_documents(
        request.auth,
        rep,
        register_extract=register_extract and safe_name(register_extract, "extrait.pdf"),
        extract_issued_on=extract_issued_on,
        statement=statement and safe_name(statement, "attestation.pdf"),
    )
    return _representation(request.auth, rep.pk)


def _form_date(value, field):
    """A date sent as a form field (AAAA-MM-JJ). Multipart has no null: an empty field, or the text "null"
    a client sends for the `null` it read in a representation, means no date."""
    if value is None or value.strip() in ("", "null"):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            [
                {
                    "loc": ("form", field),
                    "msg": "Indiquez une date au format AAAA-MM-JJ.",
                    "type": "date_parsing",
                }
            ]
        ) from None


# --- mandates -------------------------------------------------------------------------------------


@router.get("/mandates", response=responses(200, MandatesOut), operation_id="list_mandates")
def list_mandates(request):
    """The mandates of the companies you represent (given by you or another legal representative), and
    those given to you."""
    today = timezone.localdate()
    user = request.auth
    qs = mandates_for(user).order_by("-created_at", "-pk")
    represented = Representation.objects.filter(
        user_id=user.pk, status=Representation.Status.VERIFIED, capacity=Capacity.REPRESENTATIVE
    ).values("company_id")
    return {
        "given": [serialize.mandate(m, today) for m in qs.filter(company_id__in=represented)],
        "held": [serialize.mandate(m, today) for m in qs.filter(holder_email__iexact=user.email)],
    }


@router.post("/mandates", response=responses(201, MandateOut), operation_id="give_mandate")
def give_mandate(request, payload: MandateIn):
    """A verified legal representative lets someone act for the company (an accountant, an advisor, a
    relative…), until the date given or until revoked. The person is told by email."""
    try:
        validate_email(payload.holder_email.strip())
    except ValidationError:
        raise ServiceError(
            "invalid_email",
            "Cette adresse électronique n'est pas valide : vérifiez-la (par exemple nom@exemple.fr).",
            "holder_email",
        ) from None
    company, _establishment = lookup.company_for(payload.siren, "siren")
    mandate = services.give_mandate(
        request.auth,
        company,
        holder_email=payload.holder_email,
        holder_name=payload.holder_name,
        kind=payload.kind,
        valid_until=payload.valid_until,
    )
    return Status(
        201, serialize.mandate(get_mandate_for_user(request.auth, mandate.pk), timezone.localdate())
    )


@router.post(
    "/mandates/{mandate_id}/revoke", response=responses(200, MandateOut), operation_id="revoke_mandate"
)
def revoke_mandate(request, mandate_id: Id):
    """The grantor, or another verified legal representative of the company, ends the mandate: its holder
    can no longer act for the company, and is told by email."""
    mandate = services.revoke_mandate(request.auth, get_mandate_for_user(request.auth, mandate_id))
    return serialize.mandate(get_mandate_for_user(request.auth, mandate.pk), timezone.localdate())
