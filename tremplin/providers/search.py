"""The public directory's search: accent-insensitive, on a normalised column, the same on SQLite and PostgreSQL."""

import re
import unicodedata
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, F, Max, Min, OuterRef
from django.utils.functional import cached_property

from tremplin.core.formatting import euros
from tremplin.providers.models import Coverage, Offer, Provider
from tremplin.schemes.models import SpendCategory

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text):
    """'Électricité & Co' -> 'electricite co': lower case, accents and punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def search_text_for(provider, offers=None):
    """What the directory searches for one provider: name, place, presentation, offers."""
    labels = dict(SpendCategory.choices)
    offers = list(provider.offers.all()) if offers is None else offers
    parts = [provider.name, provider.city, provider.description]
    if provider.departement_id:
        parts.append(str(provider.departement))
    for offer in offers:
        parts += [offer.title, str(labels.get(offer.category, "")), offer.description]
    return normalize(" ".join(p for p in parts if p))


def coverage_rows(offers, links):
    """The directory index of one provider, from its offers: [(category, département, lowest price)].

    `offers` are (offer id, category, price_min_cents), `links` (offer id, département code); an
    offer without any département still counts for its category (département None).
    """
    served = {}
    for offer_id, code in links:
        served.setdefault(offer_id, []).append(code)
    best = {}
    for offer_id, category, price in offers:
        for code in served.get(offer_id) or [None]:
            key = (category, code)
            best[key] = min(best.get(key, price), price)
    return sorted(((category, code, price) for (category, code), price in best.items()), key=str)


def refresh_directory(provider):
    """Rebuild what the directory searches for this provider: its search text and its coverage rows.

    Called in the transaction of every change to the provider's profile or offers.
    """
    provider.search_text = search_text_for(provider)
    Provider.objects.filter(pk=provider.pk).update(search_text=provider.search_text)
    offers = provider.offers.values_list("id", "category", "price_min_cents")
    links = Offer.departements.through.objects.filter(offer__provider=provider).values_list(
        "offer_id", "departement_id"
    )
    Coverage.objects.filter(provider=provider).delete()
    Coverage.objects.bulk_create(
        Coverage(provider=provider, category=category, departement_id=code, price_min_cents=price)
        for category, code, price in coverage_rows(offers, links)
    )


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    departement: str = ""
    max_price_cents: int | None = None
    min_rating: int | None = None


# What a row of the list shows: nothing else is read.
LISTED_FIELDS = ("id", "name", "city", "departement_id", "rating_avg", "rating_count")


def directory(filters: Filters):
    """Accredited providers matching the filters, best rated first, only the columns the list shows.

    Category, département and budget apply to one same offer (an offer of websites in the Rhône
    under 2,000 EUR), through one EXISTS lookup per provider in the indexed Coverage table.
    """
    qs = Provider.objects.accredited()
    for word in normalize(filters.q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    if filters.category or filters.departement or filters.max_price_cents is not None:
        coverage = Coverage.objects.filter(provider=OuterRef("pk"))
        if filters.category:
            coverage = coverage.filter(category=filters.category)
        if filters.departement:
            coverage = coverage.filter(departement=filters.departement)
        if filters.max_price_cents is not None:
            coverage = coverage.filter(price_min_cents__lte=filters.max_price_cents)
        qs = qs.filter(Exists(coverage))
    if filters.min_rating:
        qs = qs.filter(rating_avg__gte=filters.min_rating)
    return qs.order_by(F("rating_avg").desc(nulls_last=True), "name", "id").only(*LISTED_FIELDS)


def offer_lines(providers, category=""):
    """Set `offer_lines` on each provider: one line per category offered, with its overall price
    range, from one aggregate query for the whole page."""
    labels = dict(SpendCategory.choices)
    offers = Offer.objects.filter(provider__in=[p.pk for p in providers])
    if category:
        offers = offers.filter(category=category)
    ranges = {}
    for row in (
        offers.values("provider_id", "category")
        .annotate(low=Min("price_min_cents"), high=Max("price_max_cents"))
        .order_by("provider_id", "category")
    ):
        ranges.setdefault(row["provider_id"], []).append(
            f"{labels.get(row['category'], row['category'])} : {euros(row['low'])} – {euros(row['high'])}"
        )
    for provider in providers:
        provider.offer_lines = ranges.get(provider.pk, [])


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` results: the count stops early on broad searches."""

    cap = 1000

    @cached_property
    def counted(self):
        # No ORDER BY in the count: the database stops at cap + 1 rows instead of sorting them all.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @property
    def truncated(self):
        """More results than the cap: the page says so and invites a narrower search."""
        return self.counted > self.cap
