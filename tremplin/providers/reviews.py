"""Reviews: an owner reviews the provider of a paid voucher once, the provider answers once, managers
moderate (`workflow.REVIEW_WORKFLOW`: published, hidden). The rating counts published reviews only.

Answering is not a state of the workflow: it is a single event, whatever the moderation, held in
`Review.answer` (an answered review may be hidden, a hidden one may still be answered).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.language import programme_language
from tremplin.providers.access import require_member
from tremplin.providers.emails import notify_members
from tremplin.providers.models import Provider, Review
from tremplin.providers.workflow import REVIEW_WORKFLOW
from tremplin.vouchers.models import State as FileState


def _stars(value, field):
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError("invalid_rating", "Donnez une note de 1 à 5 étoiles.", field)
    return value


def refresh_rating(provider):
    agg = provider.reviews.filter(state=Review.State.PUBLISHED).aggregate(
        q=Avg("quality"), d=Avg("deadlines"), c=Avg("communication"), n=Count("id")
    )
    avg = None
    if agg["n"]:
        avg = (Decimal(str((agg["q"] + agg["d"] + agg["c"]) / 3))).quantize(Decimal("0.01"))
    Provider.objects.filter(pk=provider.pk).update(rating_avg=avg, rating_count=agg["n"])


@programme_language
def post_review(owner, application, *, quality, deadlines, communication, text, is_complaint=False):
    """Only the owner of a paid voucher reviews its provider, once per voucher."""
    if application.owner_id != owner.pk:
        raise PermissionDenied("forbidden", "Seul le chef d'entreprise du dossier peut donner son avis.")
    if application.state != FileState.PAID or application.provider_id is None:
        raise Conflict(
            "not_paid",
            "Vous pourrez donner votre avis sur le prestataire une fois votre chèque payé.",
        )
    stars = {
        "quality": _stars(quality, "quality"),
        "deadlines": _stars(deadlines, "deadlines"),
        "communication": _stars(communication, "communication"),
    }
    text = (text or "").strip()
    if len(text) < 10:
        raise ServiceError("missing", "Écrivez votre avis en quelques mots (10 caractères au moins).", "text")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                application=application,
                provider_id=application.provider_id,
                author=owner,
                text=text,
                is_complaint=bool(is_complaint),
                **stars,
            )
            refresh_rating(review.provider)
            audit.record(review, actor=owner, action="post_review", to_state=Review.State.PUBLISHED, **stars)
            notify_members(
                review.provider,
                "Tremplin Numérique : un client a donné son avis",
                "Un client a publié un avis sur votre prestation. Vous pouvez y répondre une fois.",
            )
    except IntegrityError:
        raise Conflict("already_reviewed", "Vous avez déjà donné votre avis pour ce chèque.") from None
    return review


@programme_language
def answer_review(member, review, text):
    require_member(member, review.provider)
    text = (text or "").strip()
    if not text:
        raise ServiceError("missing", "Écrivez votre réponse.", "answer")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.answer:
            raise Conflict(
                "already_answered", "Vous avez déjà répondu à cet avis : une seule réponse est possible."
            )
        review.answer = text
        review.answered_at = timezone.now()
        review.save()
        audit.record(review, actor=member, action="answer_review")
    return review


@programme_language
def moderate_review(manager, review, *, hide, reason=""):
    """Hide a review (with the reason) or publish it again; the provider's rating follows."""
    reason = (reason or "").strip()

    def apply(review):
        if hide and not reason:
            raise ServiceError("missing", "Indiquez pourquoi l'avis est masqué.", "reason")
        review.moderation_reason = reason

    with transaction.atomic():
        review = REVIEW_WORKFLOW.perform(
            manager, review, "hide_review" if hide else "publish_review", reason=reason, apply=apply
        )
        refresh_rating(review.provider)
    return review
