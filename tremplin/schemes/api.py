"""Schemes in the API: those open now, and the shape every router shows a scheme in."""

from datetime import datetime
from typing import Annotated

from ninja import Path, Router, Schema
from pydantic import Field

from tremplin.api.errors import NotFound, responses
from tremplin.api.schemas import MAX_ID
from tremplin.schemes.models import Scheme, SpendCategory

router = Router(tags=["Dispositifs"])

SchemeId = Annotated[int, Path(ge=1, le=MAX_ID)]
CATEGORY_LABELS = dict(SpendCategory.choices)


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
    preregistration_opens_at: datetime | None = Field(
        description="Début de la préinscription : les brouillons peuvent être créés et vérifiés, le dépôt "
        "n'ouvre qu'à `window_opens_at`. Absent sans préinscription."
    )
    window_opens_at: datetime
    window_closes_at: datetime
    is_open: bool = Field(description="Les dépôts sont reçus maintenant.")
    in_preregistration: bool = Field(
        description="Préinscription en cours : brouillons oui, dépôt pas encore."
    )
    validity_days: int
    review_sla_days: int
    payment_target_days: int = Field(
        description="Jours entre la validation d'une demande de paiement et le virement prévu."
    )
    allocation: Choice
    payee: Choice
    rules_version: int
    lottery_seed: str | None = Field(description="Publiée une fois le tirage effectué.")
    lottery_drawn_at: datetime | None


def scheme_out(s):
    drawn = s.lottery_drawn_at is not None
    return {
        "id": s.pk,
        "name": s.name,
        "slug": s.slug,
        "description": s.description,
        "rate_percent": str(s.rate),
        "cap_cents": s.cap_cents,
        "min_spend_cents": s.min_spend_cents,
        "spend_categories": [
            {"code": code, "label": str(CATEGORY_LABELS.get(code, code))} for code in s.spend_categories
        ],
        "preregistration_opens_at": s.preregistration_opens_at,
        "window_opens_at": s.window_opens_at,
        "window_closes_at": s.window_closes_at,
        "is_open": s.is_open(),
        "in_preregistration": s.in_preregistration(),
        "validity_days": s.validity_days,
        "review_sla_days": s.review_sla_days,
        "payment_target_days": s.payment_target_days,
        "allocation": {"code": s.allocation, "label": str(s.get_allocation_display())},
        "payee": {"code": s.payee, "label": str(s.get_payee_display())},
        "rules_version": s.rules_version,
        # The seed is published with the draw, not before: nobody can compute the order in advance.
        "lottery_seed": s.lottery_seed if drawn else None,
        "lottery_drawn_at": s.lottery_drawn_at,
    }


def scheme_or_404(scheme_id):
    scheme = Scheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("not_found", "Dispositif introuvable.")
    return scheme


@router.get("", response=responses(200, list[SchemeOut]), operation_id="list_schemes")
def list_schemes(request):
    """Schemes taking applications now: open for submissions, or in pre-registration (drafts only)."""
    taking = Scheme.objects.filter(Scheme.taking_drafts_filter())
    return [scheme_out(s) for s in taking.order_by("window_closes_at", "id")]


@router.get("/{scheme_id}", response=responses(200, SchemeOut), operation_id="get_scheme")
def get_scheme(request, scheme_id: SchemeId):
    return scheme_out(scheme_or_404(scheme_id))
