"""A provider's accreditation (habilitation): its documents, the criteria, and the moves of its
workflow (declared in tremplin.providers.workflow, ACCREDITATION_WORKFLOW).

`act()` is the one way it moves; the daily job (`expire_accreditations`) acts as SYSTEM.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tremplin.core import audit
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.formatting import euros
from tremplin.core.language import programme_language
from tremplin.core.validators import clean_pdf
from tremplin.core.workflow import SYSTEM
from tremplin.providers.access import require_member
from tremplin.providers.emails import notify_members
from tremplin.providers.models import (
    REQUIRED_DOCUMENT_KINDS,
    AccreditationCriterion,
    Document,
    Provider,
    Status,
)
from tremplin.providers.workflow import ACCREDITATION_WORKFLOW, REASON_REQUIRED
from tremplin.vouchers.models import FINISHED_STATES

RENEWAL_NOTICE_DAYS = 30


@programme_language
def act(actor, provider, name, reason="", on=None):
    """Take accreditation transition `name` as `actor` (SYSTEM for the daily job); `on` dates the
    criteria checked when the provider becomes accredited."""
    reason = (reason or "").strip()

    def apply(provider):
        if name in REASON_REQUIRED and not reason:
            raise ServiceError("missing", "Indiquez le motif : il est envoyé au prestataire.", "reason")
        if ACCREDITATION_WORKFLOW[name].target == Status.ACCREDITED:
            failed = [c for c in evaluate(provider, on) if not c.passed]
            if failed:
                raise Conflict(
                    "criteria_not_met",
                    "Les conditions d'habilitation ne sont pas toutes remplies : "
                    + " ".join(f"{c.label} – {c.message}" for c in failed),
                )
        provider.status_changed_at = timezone.now()

    return ACCREDITATION_WORKFLOW.perform(actor, provider, name, reason=reason, apply=apply)


# --- documents and criteria ------------------------------------------------------------------------


@programme_language
def upload_document(member, provider, kind, file, expires_on=None, label="", on=None):
    require_member(member, provider)
    on = on or timezone.localdate()
    if kind not in Document.Kind.values:
        raise ServiceError("invalid_kind", "Choisissez le type de document dans la liste.", "kind")
    if kind in REQUIRED_DOCUMENT_KINDS and expires_on is None:
        raise ServiceError(
            "missing_expiry", "Indiquez la date de fin de validité écrite sur le document.", "expires_on"
        )
    if expires_on is not None and expires_on < on:
        raise ServiceError(
            "document_expired",
            f"Ce document n'est plus valable depuis le {expires_on:%d/%m/%Y} : déposez une attestation à jour.",
            "expires_on",
        )
    clean_pdf(file, "file")
    with transaction.atomic():
        document = Document.objects.create(
            provider=provider,
            kind=kind,
            file=file,
            expires_on=expires_on,
            label=(label or "").strip()[:200],
            uploaded_by=member,
        )
        provider.refresh_documents_valid_until()
        audit.record(provider, actor=member, action="upload_document", kind=kind, document=document.pk)
    return document


def valid_documents(provider, on):
    return provider.documents.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))


@dataclass
class Check:
    label: str
    passed: bool
    message: str


def criteria_for(provider):
    """The accreditation criteria that apply: programme-wide ones and those of open schemes."""
    now = timezone.now()
    return AccreditationCriterion.objects.filter(
        Q(scheme__isnull=True) | Q(scheme__window_opens_at__lte=now, scheme__window_closes_at__gt=now)
    ).select_related("scheme")


def evaluate(provider, on=None):
    """Every accreditation condition with pass/fail and a plain French explanation."""
    on = on or timezone.localdate()
    kinds = set(valid_documents(provider, on).values_list("kind", flat=True))
    references = valid_documents(provider, on).filter(kind=Document.Kind.REFERENCE).count()
    labels = dict(Document.Kind.choices)
    checks = []
    for kind in REQUIRED_DOCUMENT_KINDS:
        ok = kind in kinds
        checks.append(
            Check(
                str(labels[kind]),
                ok,
                "Document valable déposé." if ok else "Déposez ce document en cours de validité.",
            )
        )
    for criterion in criteria_for(provider):
        params = criterion.params or {}
        suffix = f" ({criterion.scheme})" if criterion.scheme_id else ""
        label = str(criterion.get_kind_display()) + suffix
        if criterion.kind == AccreditationCriterion.Kind.MIN_SIMILAR_TURNOVER:
            need = int(params.get("cents", 0))
            have = provider.similar_turnover_cents
            ok = have is not None and have >= need
            message = f"Au moins {euros(need)} HT de projets similaires sur 3 ans" + (
                f" : vous déclarez {euros(have)}."
                if have is not None
                else " : indiquez-le dans votre profil."
            )
        elif criterion.kind == AccreditationCriterion.Kind.MIN_YEARS_TRADING:
            need = int(params.get("years", 0))
            since = provider.trading_since
            years = _years_between(since, on) if since else None
            ok = years is not None and years >= need
            message = f"Au moins {need} an(s) d'activité" + (
                f" : en activité depuis le {since:%d/%m/%Y}." if since else " : indiquez votre date de début."
            )
        else:
            need = int(params.get("count", 1))
            ok = references >= need
            message = f"Au moins {need} référence(s) client : {references} déposée(s)."
        checks.append(Check(label, ok, message))
    return checks


def _years_between(start: date, end: date):
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


# --- daily job ------------------------------------------------------------------------------------


@programme_language
def expire_accreditations(on=None):
    """Daily job: an accredited provider without a valid URSSAF certificate and insurance expires."""
    on = on or timezone.localdate()
    due = Provider.objects.filter(status__in=ACCREDITATION_WORKFLOW["expire"].sources).filter(
        Q(documents_valid_until__isnull=True) | Q(documents_valid_until__lt=on)
    )
    count = 0
    for provider in list(due):
        act(SYSTEM, provider, "expire", reason="Attestation URSSAF ou d'assurance expirée.", on=on)
        count += 1
    return count


@programme_language
def send_renewal_reminders(on=None, days_before=RENEWAL_NOTICE_DAYS):
    """Remind accredited providers once when their latest URSSAF or insurance document expires soon."""
    on = on or timezone.localdate()
    sent = 0
    candidates = (
        Document.objects.filter(
            kind__in=REQUIRED_DOCUMENT_KINDS,
            provider__status=Status.ACCREDITED,
            expires_on__gte=on,
            expires_on__lte=on + timedelta(days=days_before),
            reminded_on__isnull=True,
        )
        .select_related("provider")
        .order_by("id")
    )
    for document in candidates:
        newer = Document.objects.filter(
            provider=document.provider, kind=document.kind, expires_on__gt=document.expires_on
        ).exists()
        if newer:
            continue
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).update(reminded_on=on)
            audit.record(
                document.provider,
                actor=SYSTEM,
                action="renewal_reminder",
                reason=f"{document.get_kind_display()} valable jusqu'au {document.expires_on:%d/%m/%Y}.",
            )
            notify_members(
                document.provider,
                "Tremplin Numérique : un document d'habilitation expire bientôt",
                f"Votre document « {document.get_kind_display()} » n'est plus valable après le "
                f"{document.expires_on:%d/%m/%Y}. Déposez la nouvelle version dans votre espace prestataire "
                "pour garder votre habilitation.",
            )
        sent += 1
    return sent


def provider_warning(application):
    """A French sentence when the file's provider lost its accreditation while the file is under way."""
    provider = application.provider
    if provider is None or application.state in FINISHED_STATES:
        return None
    if provider.status == Status.SUSPENDED:
        return (
            f"Attention : l'habilitation du prestataire « {provider.name} » est suspendue. "
            "Le dossier continue, mais prenez contact avec votre conseiller avant de payer une nouvelle prestation."
        )
    if provider.status == Status.EXPIRED:
        return (
            f"Attention : l'habilitation du prestataire « {provider.name} » a expiré. "
            "Le dossier continue, mais prenez contact avec votre conseiller avant de payer une nouvelle prestation."
        )
    return None
