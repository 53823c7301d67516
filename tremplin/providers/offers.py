"""A provider's catalogue: the offers its members create, change and delete.

Every change rebuilds what the directory searches for the provider, in the same transaction.
"""

from django.db import transaction

from tremplin.core import audit
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.formatting import euros
from tremplin.core.language import programme_language
from tremplin.providers.access import require_member
from tremplin.providers.models import Offer
from tremplin.providers.search import refresh_directory
from tremplin.schemes.models import SpendCategory


def offered_categories(provider):
    return set(provider.offers.values_list("category", flat=True))


@programme_language
def save_offer(
    member,
    provider,
    offer=None,
    *,
    category,
    title,
    price_min_cents,
    price_max_cents,
    delivery_days,
    reversibility,
    departements,
    description="",
):
    """Create (offer None) or change an offer of the provider."""
    require_member(member, provider)
    if offer is not None and offer.provider_id != provider.pk:
        raise PermissionDenied("forbidden", "Cette offre appartient à un autre prestataire.")
    if category not in SpendCategory.values:
        raise ServiceError("invalid_category", "Choisissez une catégorie dans la liste.", "category")
    title = (title or "").strip()
    if not title:
        raise ServiceError("missing", "Donnez un intitulé à l'offre.", "title")
    if price_min_cents is None or price_min_cents <= 0:
        raise ServiceError("invalid_amount", "Le prix minimal doit être supérieur à zéro.", "price_min_cents")
    if price_max_cents is None or price_max_cents < price_min_cents:
        raise ServiceError(
            "price_range",
            f"Le prix maximal ({euros(price_max_cents or 0)}) est inférieur au prix minimal "
            f"({euros(price_min_cents)}) : corrigez la fourchette de prix.",
            "price_max_cents",
        )
    if not delivery_days or delivery_days <= 0 or delivery_days > 730:
        raise ServiceError(
            "invalid_delay", "Indiquez un délai de réalisation entre 1 et 730 jours.", "delivery_days"
        )
    reversibility = (reversibility or "").strip()
    if len(reversibility) < 20:
        raise ServiceError(
            "missing_reversibility",
            "Décrivez votre engagement de réversibilité : comment le client récupère ses données et "
            "reprend la main à la fin du contrat (au moins une phrase).",
            "reversibility",
        )
    departements = list(departements or [])
    if not departements:
        raise ServiceError("missing", "Choisissez au moins un département desservi.", "departements")
    with transaction.atomic():
        creating = offer is None
        offer = offer or Offer(provider=provider)
        offer.category = category
        offer.title = title[:200]
        offer.description = (description or "").strip()
        offer.price_min_cents = price_min_cents
        offer.price_max_cents = price_max_cents
        offer.delivery_days = delivery_days
        offer.reversibility = reversibility
        offer.save()
        offer.departements.set(departements)
        refresh_directory(provider)
        audit.record(offer, actor=member, action="create_offer" if creating else "update_offer")
    return offer


@programme_language
def delete_offer(member, offer):
    provider = offer.provider
    require_member(member, provider)
    with transaction.atomic():
        audit.record(provider, actor=member, action="delete_offer", offer=offer.pk, title=offer.title)
        offer.delete()
        refresh_directory(provider)
