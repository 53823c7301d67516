"""Diagnostics for partner systems (CCI CRMs): create, answer, complete, read results.

Token authentication and the error shape {"code", "message", "field"} come from the API
instance this router is added to (config.api). Each operation calls the service
function and nothing else to change a diagnostic.
"""

from datetime import datetime
from typing import Annotated, Any

from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from tremplin.accounts.models import Role, User
from tremplin.api.errors import responses
from tremplin.api.schemas import MAX_ID, Email, SirenOrSiret, Text, api_enum
from tremplin.core.errors import Conflict, ServiceError
from tremplin.diagnostics import questionnaire, results, services
from tremplin.diagnostics.access import diagnostics_for, get_diagnostic_for_user
from tremplin.diagnostics.models import State
from tremplin.registry import lookup

router = Router(tags=["Diagnostics"])
DiagnosticState = api_enum("DiagnosticState", State)

DiagnosticId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_PAGE_SIZE = 100


class DiagnosticCreate(Schema):
    siren: SirenOrSiret = Field(description="SIREN (9 chiffres) ou SIRET (14 chiffres) de l'entreprise.")
    owner_email: Email | None = Field(
        None,
        description="Conseiller : compte du chef d'entreprise à qui rattacher le diagnostic (facultatif).",
    )


def _answers_schema(q):
    """The JSON Schema of answers to questionnaire `q`, as tremplin.diagnostics.scoring.clean_answer checks
    them (400 `unknown_question`, `invalid_answer`, `unknown_item`, `missing_answer`, `out_of_range`)."""

    def ticks(ids):
        return {"type": "array", "items": {"enum": list(ids)}}

    def every(ids, value):
        return {
            "type": "object",
            "properties": dict.fromkeys(ids, value),
            "required": list(ids),
            "additionalProperties": False,
        }

    shapes = {
        questionnaire.AREAS: lambda ids, _q: {
            "type": "object",
            "properties": {"invested": ticks(ids), "planned": ticks(ids)},
            "additionalProperties": False,
        },
        questionnaire.TICKS: lambda ids, _q: ticks(ids),
        # The items, or the exclusive one alone.
        questionnaire.TICKS_EXCLUSIVE: lambda ids, question: {
            "anyOf": [ticks(ids), {"type": "array", "items": {"const": question.exclusive.id}, "minItems": 1}]
        },
        questionnaire.RATINGS: lambda ids, _q: every(
            ids, {"type": "integer", "minimum": 0, "maximum": questionnaire.RATING_MAX}
        ),
        questionnaire.TRISTATE: lambda ids, _q: every(ids, {"enum": list(questionnaire.TRISTATE_VALUES)}),
    }
    return {
        "type": "object",
        "properties": {
            qid: shapes[question.kind](question.item_ids, question) for qid, question in q.questions.items()
        },
        "additionalProperties": False,
    }


class AnswersIn(Schema):
    # A diagnostic follows the version it was started with (400 `version_mismatch` otherwise): today there
    # is one, the current one, whose questions the answers' schema lists.
    version: Text(20) = Field(
        description="Version du questionnaire suivie, par exemple « dma-2026-1 ».",
        json_schema_extra=lambda schema: schema.update(enum=list(questionnaire.QUESTIONNAIRES)),
    )
    answers: dict[str, Any] = Field(
        description="Réponses par question (q1 … q11), au format décrit dans la documentation du questionnaire.",
        json_schema_extra=lambda schema: schema.update(_answers_schema(questionnaire.CURRENT)),
    )


class DiagnosticOut(Schema):
    id: int
    siren: str
    company_name: str
    state: str
    version: str
    conducted_by_advisor: bool
    created_at: datetime
    completed_at: datetime | None
    answers: dict[str, Any]
    overall_score: float | None
    level: str
    dimension_scores: dict[str, float]
    question_scores: dict[str, float]


class DiagnosticPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DiagnosticOut]


class PeersOut(Schema):
    group: str = Field(description="Groupe utilisé : section_band_region, section_band, section ou all.")
    group_label: str
    total: int
    percentile: int
    median: int


class ProviderOut(Schema):
    siret: str
    name: str


class RecommendationOut(Schema):
    title: str
    text: str
    benefit: int
    spend_categories: list[str]
    providers: list[ProviderOut]


class HistoryOut(Schema):
    label: str
    diagnostic_id: int
    completed_at: datetime
    overall_score: float
    dimension_scores: dict[str, float]


class ResultsOut(Schema):
    diagnostic: DiagnosticOut
    peers: PeersOut | None
    recommendations: list[RecommendationOut]
    history: list[HistoryOut]


def _out(diagnostic):
    return {
        "id": diagnostic.pk,
        "siren": diagnostic.company.siren,
        "company_name": diagnostic.company.display_name,
        "state": diagnostic.state,
        "version": diagnostic.version,
        "conducted_by_advisor": diagnostic.conducted_by_id is not None,
        "created_at": diagnostic.created_at,
        "completed_at": diagnostic.completed_at,
        "answers": diagnostic.answers,
        "overall_score": float(diagnostic.overall_score) if diagnostic.overall_score is not None else None,
        "level": diagnostic.level,
        "dimension_scores": {k: float(v) for k, v in diagnostic.dimension_scores.items()},
        "question_scores": {k: float(v) for k, v in diagnostic.question_scores.items()},
    }


@router.get("", response=responses(200, DiagnosticPage), operation_id="list_diagnostics")
def list_diagnostics(
    request,
    state: Query[DiagnosticState | None] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
):
    """Diagnostics the caller may see, newest first."""
    qs = diagnostics_for(request.auth)
    if state:
        qs = qs.filter(state=state)
    offset = (page - 1) * page_size
    items = list(qs.order_by("-created_at", "-pk")[offset : offset + page_size])
    return {"count": qs.count(), "page": page, "page_size": page_size, "items": [_out(d) for d in items]}


@router.post(
    "", response={**responses(201, DiagnosticOut), 200: DiagnosticOut}, operation_id="create_diagnostic"
)
def create_diagnostic(request, payload: DiagnosticCreate):
    """Start a diagnostic (owner: their company; advisor: a company of their territory).

    An unfinished diagnostic of the same company by the same person is returned instead (200).
    """
    company, _establishment = lookup.company_for(payload.siren, "siren")
    owner = None
    if payload.owner_email and request.auth.role == Role.ADVISOR:
        owner = User.objects.filter(email=payload.owner_email.lower(), role=Role.OWNER).first()
        if owner is None:
            raise ServiceError(
                "unknown_owner", "Aucun chef d'entreprise n'a de compte avec cette adresse.", "owner_email"
            )
    diagnostic, created = services.start(request.auth, company, owner=owner)
    return Status(201 if created else 200, _out(get_diagnostic_for_user(request.auth, diagnostic.pk)))


@router.get("/{diagnostic_id}", response=responses(200, DiagnosticOut), operation_id="get_diagnostic")
def get_diagnostic(request, diagnostic_id: DiagnosticId):
    return _out(get_diagnostic_for_user(request.auth, diagnostic_id))


@router.post(
    "/{diagnostic_id}/answers", response=responses(200, DiagnosticOut), operation_id="answer_diagnostic"
)
def answer_diagnostic(request, diagnostic_id: DiagnosticId, payload: AnswersIn):
    """Save answers to some questions (for example one dimension). All or nothing: one bad answer and
    nothing is saved."""
    diagnostic = get_diagnostic_for_user(request.auth, diagnostic_id)
    services.save_answers(request.auth, diagnostic, payload.answers, version=payload.version)
    return _out(get_diagnostic_for_user(request.auth, diagnostic_id))


@router.post(
    "/{diagnostic_id}/complete", response=responses(200, DiagnosticOut), operation_id="complete_diagnostic"
)
def complete_diagnostic(request, diagnostic_id: DiagnosticId):
    """Score the diagnostic once every question is answered. A second call answers 409."""
    diagnostic = get_diagnostic_for_user(request.auth, diagnostic_id)
    services.complete(request.auth, diagnostic)
    return _out(get_diagnostic_for_user(request.auth, diagnostic_id))


@router.get(
    "/{diagnostic_id}/results", response=responses(200, ResultsOut), operation_id="get_diagnostic_results"
)
def get_results(request, diagnostic_id: DiagnosticId):
    """Scores, position among peers (groups of 20 or more only), recommendations and history."""
    diagnostic = get_diagnostic_for_user(request.auth, diagnostic_id)
    if diagnostic.state != State.COMPLETED:
        raise Conflict(
            "not_completed", "Ce diagnostic n'est pas terminé : ses résultats n'existent pas encore."
        )
    data = results.build(request.auth, diagnostic)
    position = data.position
    return {
        "diagnostic": _out(diagnostic),
        "peers": position
        and {
            "group": position.level,
            "group_label": data.group_label,
            "total": position.total,
            "percentile": position.percentile,
            "median": position.median,
        },
        "recommendations": [
            {
                "title": item["rule"].title,
                "text": item["rule"].text,
                "benefit": item["rule"].benefit,
                "spend_categories": item["rule"].spend_categories,
                "providers": [{"siret": p.siret, "name": p.name} for p in item["providers"]],
            }
            for item in data.recommendations
        ],
        "history": [
            {
                "label": h["label"],
                "diagnostic_id": h["pk"],
                "completed_at": h["completed_at"],
                "overall_score": float(h["overall_score"]),
                "dimension_scores": {k: float(v) for k, v in h["dimension_scores"].items()},
            }
            for h in data.history
        ],
    }
