"""Quotes in the platform: an owner asks up to 3 accredited providers, each answers or declines, the
owner chooses one (it joins the draft application) or cancels the request.

Two workflows, declared in tremplin.providers.workflow: the request's (`QUOTE_REQUEST_WORKFLOW`:
open, then closed by a choice or cancelled) and each provider's quote (`QUOTE_WORKFLOW`).
"""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tremplin.accounts.models import Role
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.language import programme_language
from tremplin.core.validators import clean_pdf
from tremplin.providers.emails import notify_members
from tremplin.providers.models import Quote, QuoteRequest
from tremplin.providers.offers import offered_categories
from tremplin.providers.quality import above_catalogue
from tremplin.providers.workflow import (
    OPEN_REQUEST_STATES,
    QUOTE_REQUEST_WORKFLOW,
    QUOTE_WORKFLOW,
    request_closed,
)
from tremplin.registry.models import Commune
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import State as FileState

MAX_PROVIDERS_PER_REQUEST = 3


@programme_language
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
        if not provider.accredited:
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
            audit.record(
                request,
                actor=owner,
                action="request_quotes",
                to_state=request.state,
                providers=[p.pk for p in providers],
            )
    except IntegrityError:
        raise Conflict(
            "request_open",
            "Une demande de devis est déjà en cours pour ce dossier : choisissez un devis ou annulez-la.",
        ) from None
    client = application.company.display_name
    place = client_place(application)
    for provider in providers:
        notify_members(
            provider,
            "Tremplin Numérique : une entreprise vous demande un devis",
            f"Une entreprise vous demande un devis ({SpendCategory(category).label}) : "
            f"{', '.join(filter(None, (client, place)))}. Répondez depuis votre espace prestataire.",
        )
    return request


def client_place(application):
    """Where the business asking for a quote is: its establishment's commune, else its head office's,
    else its département ("Lyon 1er Arrondissement (69001)", "Rhône (69)")."""
    establishment = application.establishment
    if establishment is not None and establishment.commune_name:
        return f"{establishment.commune_name} ({establishment.postal_code})".replace(" ()", "")
    company = application.company
    commune = Commune.objects.filter(code=company.head_office_commune_code).only("name").first()
    if commune is not None:
        return f"{commune.name} ({company.head_office_postal_code})".replace(" ()", "")
    return str(company.departement) if company.departement_id else ""


def _set_aside_others(owner, request, chosen=None):
    """The quotes still waiting or answered, other than `chosen`, are not retained."""
    others = request.quotes.filter(state__in=QUOTE_WORKFLOW["set_aside"].sources).order_by("id")
    if chosen is not None:
        others = others.exclude(pk=chosen.pk)
    for quote in others:
        QUOTE_WORKFLOW.perform(owner, quote, "set_aside")


@programme_language
def cancel_request(owner, request):
    """The owner cancels an open request: no provider may answer it any more, a new one may be made."""
    return QUOTE_REQUEST_WORKFLOW.perform(
        owner, request, "cancel_quotes", apply=lambda request: _set_aside_others(owner, request)
    )


DRAFT_DELETED = "Brouillon de demande supprimé par l'entreprise."


def cancel_for_deleted_draft(owner, application):
    """Before a draft is deleted: its open quote request is cancelled (audited) and the providers that
    still had to answer, or had answered, are told, so none keeps working on a quote nobody will read."""
    for request in application.quote_requests.filter(state__in=OPEN_REQUEST_STATES).order_by("id"):
        waiting = [
            quote.provider
            for quote in request.quotes.filter(state__in=QUOTE_WORKFLOW["set_aside"].sources)
            .select_related("provider")
            .order_by("id")
        ]
        QUOTE_REQUEST_WORKFLOW.perform(
            owner,
            request,
            "cancel_quotes",
            reason=DRAFT_DELETED,
            apply=lambda request: _set_aside_others(owner, request),
        )
        category = SpendCategory(request.category).label
        for provider in waiting:
            notify_members(
                provider,
                "Tremplin Numérique : une demande de devis est annulée",
                f"L'entreprise {application.company.display_name} a supprimé son brouillon de demande de "
                f"chèque : sa demande de devis ({category}) est annulée. Vous n'avez plus à y répondre.",
            )


@programme_language
def answer_quote(member, quote, *, amount_cents, category, file, message=""):
    """The provider answers: a PDF and an amount for a category it offers in its catalogue."""
    ceiling, too_high = above_catalogue(quote.provider, category, amount_cents)

    def apply(quote):
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
        quote.amount_cents = amount_cents
        quote.category = category
        quote.file = file
        quote.message = (message or "").strip()
        quote.answered_at = timezone.now()
        quote.answered_by = member
        quote.catalogue_max_cents = ceiling
        quote.above_catalogue = too_high

    return QUOTE_WORKFLOW.perform(
        member, quote, "answer_quote", apply=apply, amount_cents=amount_cents, above_catalogue=too_high
    )


@programme_language
def decline_quote(member, quote, message=""):
    def apply(quote):
        quote.message = (message or "").strip()
        quote.answered_at = timezone.now()
        quote.answered_by = member

    return QUOTE_WORKFLOW.perform(member, quote, "decline_quote", apply=apply)


@programme_language
def choose_quote(owner, quote):
    """The owner picks an answered quote: provider, PDF, amount and category join the draft. While the
    file is a draft she may come back to an answer she did not retain ("choose_again"); the quote the
    draft held before is then set aside and its provider told (`set_aside_replaced`)."""
    name = "choose_again" if quote.state == Quote.State.NOT_CHOSEN else "choose_quote"

    def apply(quote):
        request = quote.request
        if name == "choose_again":
            if request.state != QuoteRequest.State.CLOSED:
                raise request_closed(request)
            if quote.answered_at is None or not quote.file:
                raise Conflict(
                    "not_answered", "Ce prestataire n'a pas envoyé de devis : il ne peut être choisi."
                )
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
        # update_draft set aside the chosen quotes of other providers; one of the same provider too.
        _set_aside_chosen(owner, request.application, keep=quote)
        if name == "choose_quote":
            _set_aside_others(owner, request, chosen=quote)
            QUOTE_REQUEST_WORKFLOW.perform(owner, request, "choose_quote", quote=quote.pk)
        else:
            QUOTE_REQUEST_WORKFLOW.perform(owner, request, "change_quote", quote=quote.pk)

    return QUOTE_WORKFLOW.perform(owner, quote, name, apply=apply)


def replace_chosen(owner, quote):
    """The draft holds another quote now: this chosen one is no longer retained, its provider is told."""
    return QUOTE_WORKFLOW.perform(owner, quote, "replace_quote")


def _set_aside_chosen(owner, application, keep=None, other_providers_only=False):
    chosen = Quote.objects.filter(request__application=application, state=Quote.State.CHOSEN).order_by("id")
    if keep is not None:
        chosen = chosen.exclude(pk=keep.pk)
    if other_providers_only:
        chosen = chosen.exclude(provider_id=application.provider_id)
    for quote in chosen:
        replace_chosen(owner, quote)


def set_aside_replaced(owner, application):
    """Run by update_draft when a new quote PDF or another provider is saved on a draft: the quote
    chosen through the platform from another provider is no longer the draft's. A revised PDF of the
    same provider keeps that provider's quote retained."""
    _set_aside_chosen(owner, application, other_providers_only=True)
