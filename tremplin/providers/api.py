"""Providers in the API: public directory, offers of the caller's provider, quote requests and answers, reviews.

Mounted at /api/v1/providers. Every change calls its service function; errors are {"code", "message", "field"}.
"""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch
from django.http import Http404
from ninja import File, Form, Path, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Field

from tremplin.api.errors import responses
from tremplin.api.schemas import MAX_CENTS, MAX_ID, FormCents, Text, Whole, api_enum
from tremplin.api.uploads import pdf_parts
from tremplin.core.errors import NotFound, PermissionDenied, ServiceError
from tremplin.providers import offers, quotes, reviews
from tremplin.providers.access import (
    get_own_application,
    get_own_quote_request,
    get_quote_for_user,
    provider_of,
    quotes_for,
)
from tremplin.providers.models import Offer, Provider, Quote, Review
from tremplin.providers.search import Filters, directory
from tremplin.registry.models import Departement
from tremplin.schemes.models import SpendCategory

router = Router(tags=["Prestataires"])
QuoteState = api_enum("QuoteState", Quote.State)

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_PAGE_SIZE = 100
Stars = Whole(ge=1, le=5)


class OfferOut(Schema):
    id: int
    category: str
    category_label: str
    title: str
    description: str
    price_min_cents: int
    price_max_cents: int
    delivery_days: int
    reversibility: str = Field(description="Engagement de réversibilité (export des données, réversibilité).")
    departements: list[str]


class ProviderSummary(Schema):
    id: int
    name: str
    siret: str
    city: str
    departement: str | None
    rating_avg: float | None
    rating_count: int
    categories: list[str]


class ProviderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProviderSummary]


class ReviewOut(Schema):
    id: int
    quality: int
    deadlines: int
    communication: int
    text: str
    answer: str
    created_at: datetime


class ProviderDetail(ProviderSummary):
    description: str
    website: str
    status: str
    offers: list[OfferOut]
    reviews: list[ReviewOut]


class OfferIn(Schema):
    category: SpendCategory
    title: Text(200, 1)
    description: Text(5000) = ""
    price_min_cents: Whole(gt=0, le=MAX_CENTS)
    price_max_cents: Whole(gt=0, le=MAX_CENTS)
    delivery_days: Whole(ge=1, le=730)
    reversibility: Text(5000, 1)
    departements: list[Text(3, 1)] = Field(min_length=1, max_length=200)


class QuoteRequestIn(Schema):
    application_id: int = Field(ge=1, le=MAX_ID)
    provider_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=10)
    category: SpendCategory
    description: Text(5000, 1)


class QuoteOut(Schema):
    id: int
    request_id: int
    application_id: int | None = Field(
        description="Visible du chef d'entreprise et des conseillers seulement."
    )
    provider_id: int
    provider_name: str
    state: str
    requested_category: str
    description: str
    category: str
    amount_cents: int | None
    has_file: bool
    answered_at: datetime | None
    above_catalogue: bool | None = Field(description="Devis très au-dessus du catalogue (conseillers).")


class QuoteRequestOut(Schema):
    id: int
    application_id: int
    state: str
    quotes: list[QuoteOut]


class ReviewIn(Schema):
    application_id: int = Field(ge=1, le=MAX_ID)
    quality: Stars
    deadlines: Stars
    communication: Stars
    text: Text(5000, 1)
    is_complaint: bool = False


def _offer(offer):
    return {
        "id": offer.pk,
        "category": offer.category,
        "category_label": str(SpendCategory(offer.category).label),
        "title": offer.title,
        "description": offer.description,
        "price_min_cents": offer.price_min_cents,
        "price_max_cents": offer.price_max_cents,
        "delivery_days": offer.delivery_days,
        "reversibility": offer.reversibility,
        "departements": [d.code for d in offer.departements.all()],
    }


def _summary(provider):
    return {
        "id": provider.pk,
        "name": provider.name,
        "siret": provider.siret,
        "city": provider.city,
        "departement": provider.departement_id,
        "rating_avg": float(provider.rating_avg) if provider.rating_avg is not None else None,
        "rating_count": provider.rating_count,
        "categories": sorted({o.category for o in provider.offers.all()}),
    }


def _quote(quote, user):
    sees_file = user.role != "provider"
    return {
        "id": quote.pk,
        "request_id": quote.request_id,
        "application_id": quote.request.application_id if sees_file else None,
        "provider_id": quote.provider_id,
        "provider_name": quote.provider.name,
        "state": quote.state,
        "requested_category": quote.request.category,
        "description": quote.request.description,
        "category": quote.category,
        "amount_cents": quote.amount_cents,
        "has_file": bool(quote.file),
        "answered_at": quote.answered_at,
        "above_catalogue": quote.above_catalogue if user.role in ("advisor", "manager", "auditor") else None,
    }


def _quote_request(quote_request, user):
    items = quote_request.quotes.select_related("provider", "request").order_by("id")
    return {
        "id": quote_request.pk,
        "application_id": quote_request.application_id,
        "state": quote_request.state,
        "quotes": [_quote(q, user) for q in items],
    }


def _my_provider(user, provider_id):
    provider = provider_of(user)
    if provider is None or provider.pk != provider_id:
        raise PermissionDenied("forbidden", "Seuls les membres de ce prestataire peuvent gérer ses offres.")
    return provider


def _departements(codes):
    found = list(Departement.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise ServiceError(
            "unknown_departement", "Un des départements indiqués n'existe pas.", "departements"
        )
    return found


# --- public directory ---------------------------------------------------------------------------


@router.get("", auth=None, response=responses(200, ProviderPage), operation_id="search_providers")
def search_providers(
    request,
    q: Annotated[str, Query(max_length=100)] = "",
    category: Query[SpendCategory | None] = None,
    departement: Annotated[str | None, Query(max_length=3)] = None,
    max_price_cents: Annotated[int | None, Query(ge=1, le=MAX_CENTS)] = None,
    min_rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
):
    """Accredited providers (no token needed). The search ignores accents and case."""
    qs = directory(
        Filters(
            q=q,
            category=category or "",
            departement=departement or "",
            max_price_cents=max_price_cents,
            min_rating=min_rating,
        )
    )
    offset = (page - 1) * page_size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "items": [_summary(p) for p in qs[offset : offset + page_size]],
    }


@router.get("/quotes", response=responses(200, list[QuoteOut]), operation_id="list_quotes")
def list_quotes(request, state: Query[QuoteState | None] = None):
    """Quotes the caller may see: a provider only its own, an owner those of its requests."""
    qs = quotes_for(request.auth).order_by("-id")
    if state:
        qs = qs.filter(state=state)
    return [_quote(q, request.auth) for q in qs[:200]]


@router.post("/quote-requests", response=responses(201, QuoteRequestOut), operation_id="request_quotes")
def request_quotes(request, payload: QuoteRequestIn):
    """A business owner asks up to 3 accredited providers for a quote for one of their drafts."""
    application = get_own_application(request.auth, payload.application_id)
    providers = list(Provider.objects.filter(pk__in=payload.provider_ids))
    if len(providers) != len(set(payload.provider_ids)):
        raise NotFound("unknown_provider", "Un des prestataires indiqués n'existe pas.", "provider_ids")
    quote_request = quotes.request_quotes(
        request.auth, application, providers, payload.category, payload.description
    )
    return Status(201, _quote_request(quote_request, request.auth))


@router.post(
    "/quote-requests/{request_id}/cancel",
    response=responses(200, QuoteRequestOut),
    operation_id="cancel_quote_request",
)
def cancel_quote_request(request, request_id: Id):
    """The owner cancels an open request: the providers can no longer answer, a new request may be made."""
    quote_request = quotes.cancel_request(request.auth, get_own_quote_request(request.auth, request_id))
    return _quote_request(quote_request, request.auth)


@router.post(
    "/quotes/{quote_id}/answer",
    response=responses(200, QuoteOut),
    operation_id="answer_quote",
    openapi_extra=pdf_parts("file"),
)
def answer_quote(
    request,
    quote_id: Id,
    amount_cents: Form[FormCents],
    category: Form[SpendCategory],
    file: File[UploadedFile],
    message: Annotated[str, Form(max_length=5000)] = "",
):
    """The provider answers with a PDF and an amount (integer cents, excl. VAT) for a category it offers."""
    quote = get_quote_for_user(request.auth, quote_id)
    quote = quotes.answer_quote(
        request.auth, quote, amount_cents=amount_cents, category=category, file=file, message=message
    )
    return _quote(get_quote_for_user(request.auth, quote.pk), request.auth)


@router.post("/quotes/{quote_id}/choose", response=responses(200, QuoteOut), operation_id="choose_quote")
def choose_quote(request, quote_id: Id):
    """The owner picks a quote: provider, PDF, amount and category join the draft application."""
    quote = get_quote_for_user(request.auth, quote_id)
    quotes.choose_quote(request.auth, quote)
    return _quote(get_quote_for_user(request.auth, quote_id), request.auth)


@router.post("/reviews", response=responses(201, ReviewOut), operation_id="post_review")
def post_review(request, payload: ReviewIn):
    """Review the provider of a paid voucher (its owner only, once per voucher)."""
    application = get_own_application(request.auth, payload.application_id)
    review = reviews.post_review(
        request.auth,
        application,
        quality=payload.quality,
        deadlines=payload.deadlines,
        communication=payload.communication,
        text=payload.text,
        is_complaint=payload.is_complaint,
    )
    return Status(201, review)


@router.get("/{provider_id}", auth=None, response=responses(200, ProviderDetail), operation_id="get_provider")
def get_provider(request, provider_id: Id):
    provider = (
        Provider.objects.accredited()
        .filter(pk=provider_id)
        .select_related("departement")
        .prefetch_related(Prefetch("offers", queryset=Offer.objects.prefetch_related("departements")))
        .first()
    )
    if provider is None:
        raise Http404("Prestataire introuvable.")
    return {
        **_summary(provider),
        "description": provider.description,
        "website": provider.website,
        "status": provider.status,
        "offers": [_offer(o) for o in provider.offers.all()],
        "reviews": list(provider.reviews.filter(state=Review.State.PUBLISHED)[:50]),
    }


# --- offers of the caller's provider --------------------------------------------------------------


@router.post("/{provider_id}/offers", response=responses(201, OfferOut), operation_id="create_offer")
def create_offer(request, provider_id: Id, payload: OfferIn):
    provider = _my_provider(request.auth, provider_id)
    data = payload.dict()
    data["departements"] = _departements(data["departements"])
    offer = offers.save_offer(request.auth, provider, None, **data)
    return Status(201, _offer(offer))


@router.put(
    "/{provider_id}/offers/{offer_id}", response=responses(200, OfferOut), operation_id="update_offer"
)
def update_offer(request, provider_id: Id, offer_id: Id, payload: OfferIn):
    provider = _my_provider(request.auth, provider_id)
    offer = Offer.objects.filter(pk=offer_id, provider=provider).first()
    if offer is None:
        raise Http404("Offre introuvable.")
    data = payload.dict()
    data["departements"] = _departements(data["departements"])
    return _offer(offers.save_offer(request.auth, provider, offer, **data))


@router.delete("/{provider_id}/offers/{offer_id}", response=responses(204, None), operation_id="delete_offer")
def delete_offer(request, provider_id: Id, offer_id: Id):
    provider = _my_provider(request.auth, provider_id)
    offer = Offer.objects.filter(pk=offer_id, provider=provider).first()
    if offer is None:
        raise Http404("Offre introuvable.")
    offers.delete_offer(request.auth, offer)
    return Status(204, None)
