"""The public directory's search: accent-insensitive, on a normalised column, the same on SQLite and PostgreSQL."""

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch

from tremplin.providers.models import Offer, Provider, Status

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text):
    """'Électricité & Co' -> 'electricite co': lower case, accents and punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def search_text_for(provider, offers=None):
    """What the directory searches for one provider: name, place, presentation, offers."""
    from tremplin.schemes.models import SpendCategory

    labels = dict(SpendCategory.choices)
    offers = list(provider.offers.all()) if offers is None else offers
    parts = [provider.name, provider.city, provider.description]
    if provider.departement_id:
        parts.append(str(provider.departement))
    for offer in offers:
        parts += [offer.title, str(labels.get(offer.category, "")), offer.description]
    return normalize(" ".join(p for p in parts if p))


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    departement: str = ""
    max_price_cents: int | None = None
    min_rating: int | None = None


def directory(filters: Filters):
    """Accredited providers matching the filters, best rated first, their offers prefetched.

    Category, département and price apply to one same offer (an offer of websites in the Rhône
    under 2,000 EUR), through one EXISTS subquery per provider.
    """
    qs = Provider.objects.filter(status=Status.ACCREDITED).select_related("departement")
    for word in normalize(filters.q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    offers = Offer.objects.filter(provider=OuterRef("pk"))
    if filters.category:
        offers = offers.filter(category=filters.category)
    if filters.departement:
        offers = offers.filter(departements=filters.departement)
    if filters.max_price_cents is not None:
        offers = offers.filter(price_min_cents__lte=filters.max_price_cents)
    if filters.category or filters.departement or filters.max_price_cents is not None:
        qs = qs.filter(Exists(offers))
    if filters.min_rating:
        qs = qs.filter(rating_avg__gte=filters.min_rating)
    shown = Offer.objects.order_by("category", "price_min_cents", "id")
    if filters.category:
        shown = shown.filter(category=filters.category)
    return qs.order_by(F("rating_avg").desc(nulls_last=True), "name", "id").prefetch_related(
        Prefetch("offers", queryset=shown)
    )
