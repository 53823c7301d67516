from django.db.models import Q
from django.utils import timezone
from ninja import Body, Router

from tremplin.api import serialize
from tremplin.api.errors import NotFound, responses
from tremplin.api.schemas import DrawIn, DrawOut, SchemeId, SchemeOut
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services

router = Router(tags=["Dispositifs"])


def scheme_or_404(scheme_id):
    scheme = Scheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("not_found", "Dispositif introuvable.")
    return scheme


@router.get("", response=responses(200, list[SchemeOut]), operation_id="list_schemes")
def list_schemes(request):
    """Schemes open for applications now."""
    now = timezone.now()
    open_now = Scheme.objects.filter(Q(window_opens_at__lte=now) & Q(window_closes_at__gt=now))
    return [serialize.scheme(s) for s in open_now.order_by("window_closes_at", "id")]


@router.get("/{scheme_id}", response=responses(200, SchemeOut), operation_id="get_scheme")
def get_scheme(request, scheme_id: SchemeId):
    return serialize.scheme(scheme_or_404(scheme_id))


@router.post("/{scheme_id}/draw", response=responses(200, DrawOut), operation_id="draw_lottery")
def draw_lottery(request, scheme_id: SchemeId, payload: Body[DrawIn | None] = None):
    """Run the seeded lottery of a scheme after its window closed (programme manager)."""
    scheme = scheme_or_404(scheme_id)
    order = services.draw_lottery(request.auth, scheme, seed=payload.seed if payload else None)
    scheme.refresh_from_db(fields=["lottery_seed", "lottery_drawn_at"])
    return {
        "scheme_id": scheme.pk,
        "seed": scheme.lottery_seed,
        "drawn_at": scheme.lottery_drawn_at,
        "files": [
            {
                "id": a.pk,
                "reference": a.reference,
                "rank": a.queue_rank,
                "state": a.state,
                "funded": a.is_funded,
            }
            for a in order
        ],
    }
