"""Every change to providers: sign-up, accreditation, documents, offers, quotes, reviews.

Each function checks who acts and from which state, writes in one transaction with its
audit event, and notifies the people concerned once the transaction commits. Messages
are French (marked with gettext_noop where views translate them).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.accounts.services import EMAIL_TAKEN, send_verification
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.formatting import euros
from tremplin.core.notifications import notify
from tremplin.core.validators import clean_iban, clean_pdf, clean_siret
from tremplin.providers.models import (
    AccreditationCriterion,
    Coverage,
    Document,
    Offer,
    Provider,
    QualityThreshold,
    Quote,
    QuoteRequest,
    Review,
    Status,
)
from tremplin.providers.search import coverage_rows, search_text_for
from tremplin.registry import lookup
from tremplin.registry.models import Company, Establishment
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers.models import State as FileState

MEMBER, MANAGER, SYSTEM = "member", "manager", "system"
MAX_PROVIDERS_PER_REQUEST = 3
REQUIRED_DOCUMENTS = (Document.Kind.URSSAF, Document.Kind.INSURANCE)
RENEWAL_NOTICE_DAYS = 30

# action -> (states it may start from, who may do it, state reached)
TRANSITIONS = {
    "start_review": ({Status.REQUESTED}, MANAGER, Status.UNDER_REVIEW),
    "accredit": ({Status.UNDER_REVIEW}, MANAGER, Status.ACCREDITED),
    "refuse": ({Status.REQUESTED, Status.UNDER_REVIEW}, MANAGER, Status.REFUSED),
    "suspend": ({Status.ACCREDITED}, MANAGER, Status.SUSPENDED),
    "reinstate": ({Status.SUSPENDED}, MANAGER, Status.ACCREDITED),
    "expire": ({Status.ACCREDITED}, SYSTEM, Status.EXPIRED),
    "request_again": ({Status.EXPIRED, Status.REFUSED}, MEMBER, Status.REQUESTED),
}
STATUS_LABELS = dict(Status.choices)

# Defaults of the quality thresholds when the table holds no row for a metric.
DEFAULT_THRESHOLDS = {
    QualityThreshold.Metric.CLAIM_INFO_REQUEST_RATE: Decimal("0.30"),
    QualityThreshold.Metric.QUOTE_TO_INVOICE_DAYS: Decimal("120"),
    QualityThreshold.Metric.MIN_RATING: Decimal("3.00"),
    QualityThreshold.Metric.COMPLAINTS: Decimal("3"),
    QualityThreshold.Metric.QUOTE_ABOVE_CATALOGUE: Decimal("1.50"),
}

# Files that are not finished: a suspended or expired provider makes them say so.
FINISHED_FILE_STATES = {
    FileState.REJECTED,
    FileState.PAID,
    FileState.EXPIRED,
    FileState.WITHDRAWN,
    FileState.CLAWED_BACK,
}


def is_member(user, provider):
    return bool(
        user
        and user.is_authenticated
        and user.role == Role.PROVIDER
        and provider is not None
        and user.provider_id == provider.pk
    )


def _require_member(user, provider):
    if not is_member(user, provider):
        raise PermissionDenied("forbidden", "Seuls les membres de ce prestataire peuvent faire cette action.")


def _require_manager(user):
    if not (user and user.is_authenticated and user.role == Role.MANAGER):
        raise PermissionDenied("forbidden", "Seul un gestionnaire du programme peut faire cette action.")


def _notify_members(provider, subject, body, legal=False):
    for member in provider.members.filter(is_active=True):
        notify(member, subject, "providers/emails/message.txt", legal=legal, body=body, provider=provider)


def _lock(provider):
    return Provider.objects.select_for_update().get(pk=provider.pk)


def refresh_directory(provider):
    """Rebuild what the directory searches for this provider: its search text and its coverage rows."""
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


# --- sign-up and profile ---------------------------------------------------------------------------


def prefill(siret):
    """What the registry knows of this establishment, to fill the sign-up form: dict or None."""
    establishment = lookup.find_establishment(siret)
    if establishment is None:
        return None
    company = establishment.company
    return {
        "name": (company.display_name if company.denomination or company.last_name else "")
        or establishment.sign_name,
        "city": establishment.commune_name,
        "departement": company.departement,
        "trading_since": company.created_on,
        "closed": establishment.state == Establishment.State.CLOSED or company.state == Company.State.CEASED,
    }


def sign_up(*, siret, name, email, password, first_name, last_name):
    """A provider signs up by SIRET: the firm (accreditation requested) and its first member's account."""
    siret = clean_siret(siret)
    known = prefill(siret)
    if known and known["closed"]:
        raise ServiceError(
            "establishment_closed",
            "Cet établissement est déclaré fermé (ou l'entreprise cessée) au répertoire SIRENE : "
            "indiquez le SIRET d'un établissement en activité.",
            "siret",
        )
    if Provider.objects.filter(siret=siret).exists():
        raise ServiceError(
            "provider_exists",
            "Ce prestataire est déjà inscrit. Demandez à un membre de son équipe de vous ajouter.",
            "siret",
        )
    name = (name or "").strip() or (known or {}).get("name", "")
    if not name:
        raise ServiceError("missing", "Indiquez la raison sociale du prestataire.", "name")
    email = User.objects.normalize_email(email or "").strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError("email_taken", EMAIL_TAKEN, "email")
    try:
        with transaction.atomic():
            provider = Provider(siret=siret, name=name[:200], status=Status.REQUESTED)
            if known:
                provider.city = known["city"]
                provider.departement = known["departement"]
                provider.trading_since = known["trading_since"]
            provider.status_changed_at = timezone.now()
            provider.save()
            refresh_directory(provider)
            user = User.objects.create_user(
                email,
                password,
                first_name=(first_name or "").strip(),
                last_name=(last_name or "").strip(),
                role=Role.PROVIDER,
                provider=provider,
                email_verified=False,
            )
            audit.record(provider, actor=user, action="sign_up", to_state=Status.REQUESTED)
            audit.record(user, actor=user, action="register", to_state="unverified", role=Role.PROVIDER)
            send_verification(user)
    except IntegrityError:
        raise ServiceError(
            "provider_exists", "Ce prestataire ou cette adresse est déjà inscrit.", "siret"
        ) from None
    return provider, user


PROFILE_FIELDS = {
    "description",
    "website",
    "email",
    "phone",
    "iban",
    "bic",
    "trading_since",
    "similar_turnover_cents",
}


def update_profile(member, provider, **fields):
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ServiceError("unknown_field", f"Champ inconnu : {', '.join(sorted(unknown))}.")
    _require_member(member, provider)
    if fields.get("iban"):
        fields["iban"] = clean_iban(fields["iban"])
    if fields.get("similar_turnover_cents") is not None and fields["similar_turnover_cents"] < 0:
        raise ServiceError("negative_value", "Ce montant ne peut pas être négatif.", "similar_turnover_cents")
    if fields.get("trading_since") and fields["trading_since"] > timezone.localdate():
        raise ServiceError(
            "future_date", "La date de début d'activité ne peut pas être dans le futur.", "trading_since"
        )
    with transaction.atomic():
        provider = _lock(provider)
        for name, value in fields.items():
            setattr(provider, name, value)
        provider.save()
        refresh_directory(provider)
        audit.record(provider, actor=member, action="update_profile", fields=sorted(fields))
    return provider


def add_member(member, provider, email, first_name="", last_name=""):
    """A member adds a colleague: an account of their own, password chosen through the reset link."""
    _require_member(member, provider)
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email or "@" not in email:
        raise ServiceError("invalid_email", "Indiquez une adresse électronique valide.", "email")
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(
            "email_taken", "Un compte existe déjà avec cette adresse : choisissez-en une autre.", "email"
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            None,
            first_name=(first_name or "").strip(),
            last_name=(last_name or "").strip(),
            role=Role.PROVIDER,
            provider=provider,
            email_verified=False,
        )
        audit.record(provider, actor=member, action="add_member", member=user.pk)
        notify(
            user,
            f"Vous êtes invité à rejoindre {provider.name} sur Tremplin Numérique",
            "providers/emails/invitation.txt",
            provider=provider,
            inviter=member,
            reset_url=settings.SITE_ROOT.rstrip("/") + reverse("accounts:password_reset"),
            legal=True,
        )
    return user


# --- documents and criteria ------------------------------------------------------------------------


def upload_document(member, provider, kind, file, expires_on=None, label="", on=None):
    _require_member(member, provider)
    on = on or timezone.localdate()
    if kind not in Document.Kind.values:
        raise ServiceError("invalid_kind", "Choisissez le type de document dans la liste.", "kind")
    if kind in REQUIRED_DOCUMENTS and expires_on is None:
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
    for kind in REQUIRED_DOCUMENTS:
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


# --- accreditation workflow ------------------------------------------------------------------------


def allowed_actions(user, provider):
    return [
        action
        for action, (states, who, _to) in TRANSITIONS.items()
        if provider.status in states and _may(user, provider, who)
    ]


def _may(user, provider, who):
    if who == MEMBER:
        return is_member(user, provider)
    if who == MANAGER:
        return bool(user and user.is_authenticated and user.role == Role.MANAGER)
    return False


MESSAGES = {
    "start_review": "Votre demande d'habilitation est en cours d'examen.",
    "accredit": "Vous êtes habilité : vos offres apparaissent dans l'annuaire et les entreprises peuvent vous choisir.",
    "refuse": "Votre demande d'habilitation est refusée.",
    "suspend": "Votre habilitation est suspendue : les entreprises ne peuvent plus vous choisir pour une nouvelle demande.",
    "reinstate": "Votre habilitation est rétablie.",
    "expire": "Votre habilitation a expiré faute de pièces à jour : déposez-les puis demandez à nouveau l'habilitation.",
    "request_again": "Votre nouvelle demande d'habilitation est déposée.",
}


def transition(actor, provider, action, reason="", on=None):
    """Move the provider's accreditation; `actor` None is the daily job (expiry)."""
    states, who, to_state = TRANSITIONS[action]
    reason = (reason or "").strip()
    if action in ("refuse", "suspend") and not reason:
        raise ServiceError("missing", "Indiquez le motif : il est envoyé au prestataire.", "reason")
    with transaction.atomic():
        provider = _lock(provider)
        if who == SYSTEM:
            if actor is not None:
                raise PermissionDenied("forbidden", "Cette étape est faite automatiquement.")
        elif not _may(actor, provider, who):
            raise PermissionDenied("forbidden", "Vous n'avez pas le droit de faire cette action.")
        if provider.status not in states:
            raise Conflict(
                "invalid_transition",
                f"Cette action n'est pas possible : l'habilitation est « {STATUS_LABELS[provider.status]} ».",
            )
        if to_state == Status.ACCREDITED:
            failed = [c for c in evaluate(provider, on) if not c.passed]
            if failed:
                raise Conflict(
                    "criteria_not_met",
                    "Les conditions d'habilitation ne sont pas toutes remplies : "
                    + " ".join(f"{c.label} – {c.message}" for c in failed),
                )
        from_state = provider.status
        provider.status = to_state
        provider.status_changed_at = timezone.now()
        provider.save()
        audit.record(
            provider, actor=actor, action=action, from_state=from_state, to_state=to_state, reason=reason
        )
        body = MESSAGES[action] + (f"\n\nMotif : {reason}" if reason else "")
        # Accreditation decisions have legal effect: sent whatever the member's preferences.
        _notify_members(provider, f"Tremplin Numérique : {STATUS_LABELS[to_state].lower()}", body, legal=True)
    return provider


def expire_accreditations(on=None):
    """Daily job: an accredited provider without a valid URSSAF certificate and insurance expires."""
    on = on or timezone.localdate()
    due = Provider.objects.filter(status=Status.ACCREDITED)
    for kind in REQUIRED_DOCUMENTS:
        due = due.exclude(
            documents__in=Document.objects.filter(kind=kind).filter(
                Q(expires_on__isnull=True) | Q(expires_on__gte=on)
            )
        )
    count = 0
    for provider in list(due):
        transition(None, provider, "expire", reason="Attestation URSSAF ou d'assurance expirée.", on=on)
        count += 1
    return count


def send_renewal_reminders(on=None, days_before=RENEWAL_NOTICE_DAYS):
    """Remind accredited providers once when their latest URSSAF or insurance document expires soon."""
    on = on or timezone.localdate()
    sent = 0
    candidates = (
        Document.objects.filter(
            kind__in=REQUIRED_DOCUMENTS,
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
                actor=None,
                action="renewal_reminder",
                reason=f"{document.get_kind_display()} valable jusqu'au {document.expires_on:%d/%m/%Y}.",
            )
            _notify_members(
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
    if provider is None or application.state in FINISHED_FILE_STATES:
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


# --- offers ---------------------------------------------------------------------------------------


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
    _require_member(member, provider)
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


def delete_offer(member, offer):
    provider = offer.provider
    _require_member(member, provider)
    with transaction.atomic():
        audit.record(provider, actor=member, action="delete_offer", offer=offer.pk, title=offer.title)
        offer.delete()
        refresh_directory(provider)


# --- quotes ---------------------------------------------------------------------------------------


def threshold(metric):
    row = QualityThreshold.objects.filter(metric=metric).first()
    return row.limit if row else DEFAULT_THRESHOLDS[metric]


def request_quotes(owner, application, providers, category, description):
    """An owner asks up to 3 accredited providers for a quote for one of their drafts."""
    if application.owner_id != owner.pk or owner.role != Role.OWNER:
        raise PermissionDenied("forbidden", "Seul le chef d'entreprise du dossier peut demander des devis.")
    if application.state != FileState.DRAFT:
        raise Conflict("not_a_draft", "Ce dossier est déjà déposé : les devis se demandent avant le dépôt.")
    providers = list({p.pk: p for p in providers}.values())
    if not providers:
        raise ServiceError("missing", "Choisissez au moins un prestataire.", "providers")
    if len(providers) > MAX_PROVIDERS_PER_REQUEST:
        raise ServiceError(
            "too_many_providers",
            f"Vous pouvez demander un devis à {MAX_PROVIDERS_PER_REQUEST} prestataires au plus.",
            "providers",
        )
    if category not in application.scheme.spend_categories:
        raise ServiceError(
            "category_not_eligible", "Cette catégorie n'est pas couverte par le dispositif.", "category"
        )
    for provider in providers:
        if provider.status != Status.ACCREDITED:
            raise ServiceError(
                "provider_not_accredited",
                f"Le prestataire « {provider.name} » n'est pas habilité : choisissez-en un autre.",
                "providers",
            )
    description = (description or "").strip()
    if not description:
        raise ServiceError("missing", "Décrivez votre besoin en quelques lignes.", "description")
    try:
        with transaction.atomic():
            request = QuoteRequest.objects.create(
                application=application, owner=owner, category=category, description=description
            )
            Quote.objects.bulk_create(Quote(request=request, provider=p) for p in providers)
            audit.record(request, actor=owner, action="request_quotes", providers=[p.pk for p in providers])
    except IntegrityError:
        raise Conflict(
            "request_open",
            "Une demande de devis est déjà en cours pour ce dossier : choisissez un devis ou annulez-la.",
        ) from None
    for provider in providers:
        _notify_members(
            provider,
            "Tremplin Numérique : une entreprise vous demande un devis",
            f"Une entreprise vous demande un devis ({SpendCategory(category).label}). "
            "Répondez depuis votre espace prestataire.",
        )
    return request


def cancel_request(owner, request):
    if request.owner_id != owner.pk:
        raise PermissionDenied("forbidden", "Seul l'auteur de la demande peut l'annuler.")
    with transaction.atomic():
        request = QuoteRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != QuoteRequest.State.OPEN:
            raise Conflict("request_closed", "Cette demande de devis est déjà close.")
        request.state = QuoteRequest.State.CANCELLED
        request.save()
        request.quotes.filter(state__in=[Quote.State.REQUESTED, Quote.State.ANSWERED]).update(
            state=Quote.State.NOT_CHOSEN
        )
        audit.record(request, actor=owner, action="cancel_quotes", from_state="open", to_state="cancelled")
    return request


def offered_categories(provider):
    return set(provider.offers.values_list("category", flat=True))


def answer_quote(member, quote, *, amount_cents, category, file, message=""):
    """The provider answers: a PDF and an amount for a category it offers in its catalogue."""
    _require_member(member, quote.provider)
    if amount_cents is None or amount_cents <= 0:
        raise ServiceError(
            "invalid_amount", "Le montant du devis doit être supérieur à zéro.", "amount_cents"
        )
    if category not in offered_categories(quote.provider):
        raise ServiceError(
            "category_not_offered",
            "Vous n'avez pas d'offre dans cette catégorie : ajoutez-la à votre catalogue ou choisissez "
            "une catégorie que vous proposez.",
            "category",
        )
    clean_pdf(file, "file")
    ceiling = quote.provider.offers.filter(category=category).aggregate(m=Max("price_max_cents"))["m"]
    ratio = threshold(QualityThreshold.Metric.QUOTE_ABOVE_CATALOGUE)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("request", "provider").get(pk=quote.pk)
        if quote.state != Quote.State.REQUESTED or quote.request.state != QuoteRequest.State.OPEN:
            raise Conflict("already_answered", "Ce devis a déjà reçu une réponse ou la demande est close.")
        quote.amount_cents = amount_cents
        quote.category = category
        quote.file = file
        quote.message = (message or "").strip()
        quote.answered_at = timezone.now()
        quote.answered_by = member
        quote.catalogue_max_cents = ceiling
        quote.above_catalogue = bool(ceiling and amount_cents > ceiling * ratio)
        quote.state = Quote.State.ANSWERED
        quote.save()
        audit.record(
            quote,
            actor=member,
            action="answer_quote",
            from_state=Quote.State.REQUESTED,
            to_state=Quote.State.ANSWERED,
            amount_cents=amount_cents,
            above_catalogue=quote.above_catalogue,
        )
        notify(
            quote.request.owner,
            "Tremplin Numérique : vous avez reçu un devis",
            "providers/emails/message.txt",
            provider=quote.provider,
            body=f"{quote.provider.name} vous a envoyé un devis de {euros(amount_cents)} HT. "
            "Comparez les devis reçus dans votre dossier et choisissez-en un.",
        )
    return quote


def decline_quote(member, quote, message=""):
    _require_member(member, quote.provider)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.state != Quote.State.REQUESTED:
            raise Conflict("already_answered", "Ce devis a déjà reçu une réponse.")
        quote.state = Quote.State.DECLINED
        quote.message = (message or "").strip()
        quote.answered_at = timezone.now()
        quote.answered_by = member
        quote.save()
        audit.record(quote, actor=member, action="decline_quote", to_state=Quote.State.DECLINED)
    return quote


def choose_quote(owner, quote):
    """The owner picks an answered quote: provider, PDF, amount and category join the draft."""
    from tremplin.vouchers import services as vouchers

    request = quote.request
    if request.owner_id != owner.pk:
        raise PermissionDenied("forbidden", "Seul l'auteur de la demande peut choisir un devis.")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("request", "provider").get(pk=quote.pk)
        request = quote.request
        if request.state != QuoteRequest.State.OPEN:
            raise Conflict("request_closed", "Un devis a déjà été choisi pour cette demande.")
        if quote.state != Quote.State.ANSWERED:
            raise Conflict("not_answered", "Ce prestataire n'a pas encore envoyé de devis.")
        with quote.file.open("rb") as handle:
            copy = ContentFile(handle.read(), name=f"devis-{quote.provider.siren}-{quote.pk}.pdf")
        vouchers.update_draft(
            owner,
            request.application,
            provider=quote.provider,
            quote=copy,
            planned_spend_cents=quote.amount_cents,
            spend_category=quote.category,
        )
        quote.state = Quote.State.CHOSEN
        quote.save()
        request.quotes.exclude(pk=quote.pk).filter(
            state__in=[Quote.State.REQUESTED, Quote.State.ANSWERED]
        ).update(state=Quote.State.NOT_CHOSEN)
        request.state = QuoteRequest.State.CLOSED
        request.save()
        audit.record(request, actor=owner, action="choose_quote", to_state="closed", quote=quote.pk)
        _notify_members(
            quote.provider,
            "Tremplin Numérique : votre devis est retenu",
            "Une entreprise a retenu votre devis et l'a joint à sa demande de chèque numérique.",
        )
    return quote


# --- reviews --------------------------------------------------------------------------------------


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
            _notify_members(
                review.provider,
                "Tremplin Numérique : un client a donné son avis",
                "Un client a publié un avis sur votre prestation. Vous pouvez y répondre une fois.",
            )
    except IntegrityError:
        raise Conflict("already_reviewed", "Vous avez déjà donné votre avis pour ce chèque.") from None
    return review


def answer_review(member, review, text):
    _require_member(member, review.provider)
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


def moderate_review(manager, review, *, hide, reason=""):
    _require_manager(manager)
    reason = (reason or "").strip()
    if hide and not reason:
        raise ServiceError("missing", "Indiquez pourquoi l'avis est masqué.", "reason")
    to_state = Review.State.HIDDEN if hide else Review.State.PUBLISHED
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.state == to_state:
            raise Conflict("no_change", "L'avis est déjà dans cet état.")
        from_state = review.state
        review.state = to_state
        review.moderation_reason = reason
        review.save()
        refresh_rating(review.provider)
        audit.record(
            review,
            actor=manager,
            action="moderate_review",
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )
    return review


# --- quality signals ------------------------------------------------------------------------------


def quality_signals(provider):
    """Computed signals and the thresholds they cross.

    The voucher lifecycle has no claim rejection yet: the "claims" signal is the share of
    claims for which an advisor asked for more documents (audit action request_claim_info).
    """
    from django.contrib.contenttypes.models import ContentType

    from tremplin.core.models import AuditEvent
    from tremplin.vouchers.models import Application, Claim

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


def price_flags(application):
    """Quotes of this file priced far above their provider's own catalogue (for advisors)."""
    return list(
        Quote.objects.filter(request__application=application, above_catalogue=True).select_related(
            "provider"
        )
    )
