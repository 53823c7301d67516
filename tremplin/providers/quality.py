"""Quality signals of a provider for the programme's staff: thresholds, flags, quotes priced far above
the provider's own catalogue."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from tremplin.core.models import AuditEvent
from tremplin.providers.models import QualityThreshold, Quote
from tremplin.vouchers.models import Application, Claim

# Defaults of the quality thresholds when the table holds no row for a metric.
DEFAULT_THRESHOLDS = {
    QualityThreshold.Metric.CLAIM_INFO_REQUEST_RATE: Decimal("0.30"),
    QualityThreshold.Metric.QUOTE_TO_INVOICE_DAYS: Decimal("120"),
    QualityThreshold.Metric.MIN_RATING: Decimal("3.00"),
    QualityThreshold.Metric.COMPLAINTS: Decimal("3"),
    QualityThreshold.Metric.QUOTE_ABOVE_CATALOGUE: Decimal("1.50"),
}


def threshold(metric):
    row = QualityThreshold.objects.filter(metric=metric).first()
    return row.limit if row else DEFAULT_THRESHOLDS[metric]


def quality_signals(provider):
    """Computed signals and the thresholds they cross.

    The voucher lifecycle has no claim rejection yet: the "claims" signal is the share of
    claims for which an advisor asked for more documents (audit action request_claim_info).
    """
    claims = Claim.objects.filter(application__provider=provider)
    claim_count = claims.count()
    app_ids = [str(pk) for pk in claims.values_list("application_id", flat=True)]
    asked = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id__in=app_ids,
            action="request_claim_info",
        )
        .values("object_id")
        .distinct()
        .count()
        if app_ids
        else 0
    )
    delays = []
    chosen = Quote.objects.filter(provider=provider, state=Quote.State.CHOSEN).select_related("request")
    invoices = {
        c.application_id: c
        for c in claims.filter(application_id__in=[q.request.application_id for q in chosen])
    }
    for quote in chosen:
        claim = invoices.get(quote.request.application_id)
        if claim and quote.answered_at:
            invoiced = claim.invoice_date or timezone.localdate(claim.submitted_at)
            delays.append((invoiced - timezone.localdate(quote.answered_at)).days)
    provider.refresh_from_db(fields=["rating_avg", "rating_count"])
    complaints = provider.reviews.filter(is_complaint=True).count()
    signals = {
        "claims": claim_count,
        "claim_info_request_rate": round(asked / claim_count, 2) if claim_count else None,
        "quote_to_invoice_days": round(sum(delays) / len(delays), 1) if delays else None,
        "rating_avg": provider.rating_avg,
        "rating_count": provider.rating_count,
        "complaints": complaints,
    }
    M = QualityThreshold.Metric
    flags = []
    rate = signals["claim_info_request_rate"]
    if rate is not None and Decimal(str(rate)) > threshold(M.CLAIM_INFO_REQUEST_RATE):
        flags.append("Pièces complémentaires demandées trop souvent lors des demandes de paiement.")
    days = signals["quote_to_invoice_days"]
    if days is not None and Decimal(str(days)) > threshold(M.QUOTE_TO_INVOICE_DAYS):
        flags.append("Délai moyen entre devis et facture trop long.")
    if provider.rating_avg is not None and provider.rating_avg < threshold(M.MIN_RATING):
        flags.append("Note moyenne sous le seuil.")
    if complaints >= threshold(M.COMPLAINTS):
        flags.append("Trop de signalements de problèmes graves.")
    signals["flags"] = flags
    return signals


def above_catalogue(provider, category, amount_cents):
    """(the provider's highest catalogue price in this category, whether the amount is far above it)."""
    ceiling = provider.offers.filter(category=category).aggregate(m=Max("price_max_cents"))["m"]
    ratio = threshold(QualityThreshold.Metric.QUOTE_ABOVE_CATALOGUE)
    return ceiling, bool(ceiling and amount_cents and amount_cents > ceiling * ratio)


def price_flags(application):
    """Quotes of this file priced far above their provider's own catalogue (for advisors)."""
    return list(
        Quote.objects.filter(request__application=application, above_catalogue=True).select_related(
            "provider"
        )
    )
