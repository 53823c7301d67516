"""The providers' workflows, declared once: a provider's accreditation, a quote request, each
provider's quote, and a review's moderation. The service functions (accreditation, quotes, reviews)
do each transition's own work through `perform()`; pages, buttons, badges, the admin and the audit
timeline read these declarations.

`WorkflowWithConflicts` is the spine's Workflow with the refusal each of these services has always
given when the state does not allow an action: its own code and sentence ("already_answered",
"request_closed"...), which pages and API clients know, instead of the generic "invalid_transition".
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tremplin.core import workflow
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.formatting import euros
from tremplin.core.notifications import notify
from tremplin.core.workflow import SYSTEM_ROLE, StateInfo, transition
from tremplin.providers.access import MANAGERS_ONLY, MEMBERS_ONLY, is_manager, is_member
from tremplin.providers.emails import notify_members
from tremplin.providers.models import Provider, Quote, QuoteRequest, Review, Status

MEMBER, MANAGER, OWNER = "member", "manager", "owner"


@dataclass
class WorkflowWithConflicts(workflow.Workflow):
    # transition name -> callable(obj) returning the Conflict to raise when obj's state does not allow it.
    conflicts: dict = field(default_factory=dict)

    def guard(self, actor, obj, name):
        try:
            super().guard(actor, obj, name)
        except Conflict as exc:
            if exc.code != "invalid_transition" or name not in self.conflicts:
                raise
            raise self.conflicts[name](obj) from None


# --- accreditation --------------------------------------------------------------------------------

# Tags of the states: waiting for a manager's decision (the accreditation queue); lost (the
# provider may no longer be chosen, and the files under way with it say so).
TO_DECIDE, LOST = "to_decide", "lost"


def _tell_members(message):
    """The email of a transition: its message and the reason, to every member of the provider."""

    def send(provider, actor, reason, data):
        body = message + (f"\n\nMotif : {reason}" if reason else "")
        label = str(dict(Status.choices)[provider.status]).lower()
        # Accreditation decisions have legal effect: sent whatever the member's preferences.
        notify_members(provider, f"Tremplin Numérique : {label}", body, legal=True)

    return send


ACCREDITATION_WORKFLOW = workflow.Workflow(
    model=Provider,
    states=Status,
    field="status",
    noun="l'habilitation",
    roles={MEMBER: is_member, MANAGER: lambda user, provider: is_manager(user)},
    denied=lambda user, provider, t: PermissionDenied(
        "forbidden", "Vous n'avez pas le droit de faire cette action."
    ),
    state_info={
        Status.REQUESTED: StateInfo(badge="fr-badge--new", tags=frozenset({TO_DECIDE})),
        Status.UNDER_REVIEW: StateInfo(badge="fr-badge--info", tags=frozenset({TO_DECIDE})),
        Status.ACCREDITED: StateInfo(badge="fr-badge--success"),
        Status.SUSPENDED: StateInfo(badge="fr-badge--warning", tags=frozenset({LOST})),
        Status.EXPIRED: StateInfo(badge="fr-badge--warning", tags=frozenset({LOST})),
        Status.REFUSED: StateInfo(badge="fr-badge--error"),
    },
    events={
        "sign_up": _("Inscription du prestataire"),
        "update_profile": _("Profil modifié"),
        "add_member": _("Membre ajouté à l'équipe"),
        "upload_document": _("Pièce déposée"),
        "renewal_reminder": _("Rappel de renouvellement envoyé"),
        "delete_offer": _("Offre supprimée"),
    },
    transitions=[
        transition(
            "start_review",
            Status.REQUESTED,
            Status.UNDER_REVIEW,
            MANAGER,
            label=_("Examen de l'habilitation commencé"),
            button=_("Commencer l'examen"),
            success=_("Vous examinez cette demande d'habilitation."),
            notify=_tell_members("Votre demande d'habilitation est en cours d'examen."),
        ),
        transition(
            "accredit",
            Status.UNDER_REVIEW,
            Status.ACCREDITED,
            MANAGER,
            label=_("Prestataire habilité"),
            button=_("Habiliter"),
            success=_("Le prestataire est habilité. Il en est prévenu par courriel."),
            notify=_tell_members(
                "Vous êtes habilité : vos offres apparaissent dans l'annuaire et les entreprises "
                "peuvent vous choisir."
            ),
        ),
        transition(
            "refuse",
            [Status.REQUESTED, Status.UNDER_REVIEW],
            Status.REFUSED,
            MANAGER,
            label=_("Habilitation refusée"),
            button=_("Refuser l'habilitation"),
            success=_("L'habilitation est refusée. Le prestataire en est prévenu par courriel."),
            notify=_tell_members("Votre demande d'habilitation est refusée."),
        ),
        transition(
            "suspend",
            Status.ACCREDITED,
            Status.SUSPENDED,
            MANAGER,
            label=_("Habilitation suspendue"),
            button=_("Suspendre l'habilitation"),
            success=_("L'habilitation est suspendue. Le prestataire en est prévenu par courriel."),
            notify=_tell_members(
                "Votre habilitation est suspendue : les entreprises ne peuvent plus vous choisir pour "
                "une nouvelle demande."
            ),
        ),
        transition(
            "reinstate",
            Status.SUSPENDED,
            Status.ACCREDITED,
            MANAGER,
            label=_("Habilitation rétablie"),
            button=_("Rétablir l'habilitation"),
            success=_("L'habilitation est rétablie."),
            notify=_tell_members("Votre habilitation est rétablie."),
        ),
        transition(
            "expire",
            Status.ACCREDITED,
            Status.EXPIRED,
            SYSTEM_ROLE,
            label=_("Habilitation expirée"),
            notify=_tell_members(
                "Votre habilitation a expiré faute de pièces à jour : déposez-les puis demandez à "
                "nouveau l'habilitation."
            ),
        ),
        transition(
            "request_again",
            [Status.EXPIRED, Status.REFUSED],
            Status.REQUESTED,
            MEMBER,
            label=_("Nouvelle demande d'habilitation"),
            button=_("Demander à nouveau l'habilitation"),
            success=_("Votre demande d'habilitation est déposée."),
            notify=_tell_members("Votre nouvelle demande d'habilitation est déposée."),
        ),
    ],
)

# Transitions whose reason is sent to the provider: a manager must give one.
REASON_REQUIRED = frozenset({"refuse", "suspend"})
TO_DECIDE_STATES = ACCREDITATION_WORKFLOW.tagged(TO_DECIDE)
LOST_STATES = ACCREDITATION_WORKFLOW.tagged(LOST)


# --- quote requests and quotes ----------------------------------------------------------------------


def _is_request_owner(user, request):
    return request.owner_id == user.pk


def request_closed(request):
    if request.state == QuoteRequest.State.CANCELLED:
        return Conflict("request_closed", "Cette demande de devis est annulée.")
    return Conflict("request_closed", "Un devis a déjà été choisi pour cette demande.")


QUOTE_REQUEST_WORKFLOW = WorkflowWithConflicts(
    model=QuoteRequest,
    states=QuoteRequest.State,
    noun="la demande de devis",
    roles={OWNER: _is_request_owner},
    denied=lambda user, request, t: PermissionDenied(
        "forbidden",
        "Seul l'auteur de la demande peut l'annuler."
        if t.name == "cancel_quotes"
        else "Seul l'auteur de la demande peut choisir un devis.",
    ),
    events={"request_quotes": _("Devis demandés")},
    transitions=[
        # Taken with the quote's own "choose_quote", never alone.
        transition(
            "choose_quote", QuoteRequest.State.OPEN, QuoteRequest.State.CLOSED, OWNER, label=_("Devis choisi")
        ),
        # The owner of a draft changes her mind after a choice: another answered quote of the request
        # replaces the one chosen (taken with the quote's own "choose_again").
        transition(
            "change_quote",
            QuoteRequest.State.CLOSED,
            QuoteRequest.State.CLOSED,
            OWNER,
            label=_("Un autre devis choisi"),
        ),
        transition(
            "cancel_quotes",
            QuoteRequest.State.OPEN,
            QuoteRequest.State.CANCELLED,
            OWNER,
            label=_("Demande de devis annulée"),
            button=_("Annuler la demande de devis"),
            success=_("La demande de devis est annulée : les prestataires ne peuvent plus y répondre."),
        ),
    ],
    conflicts={
        "choose_quote": request_closed,
        "cancel_quotes": lambda request: Conflict("request_closed", "Cette demande de devis est déjà close."),
    },
)


# A request its owner may still cancel is open: its providers may answer.
OPEN_REQUEST_STATES = QUOTE_REQUEST_WORKFLOW.sources("cancel_quotes")


def _lock_quote(quote):
    """The request first, then the quote: a choice, a cancellation and answers lock in the same order."""
    QuoteRequest.objects.select_for_update().get(pk=quote.request_id)
    return Quote.objects.select_for_update().select_related("request", "provider").get(pk=quote.pk)


def _tell_owner_of_answer(subject, body):
    """The owner's email when a provider answers their request: `body(quote)`, the provider's message."""

    def tell(quote, actor, reason, data):
        notify(
            quote.request.owner,
            subject,
            "providers/emails/quote_answer.txt",
            quote=quote,
            body=body(quote),
        )

    return tell


_tell_owner = _tell_owner_of_answer(
    "Tremplin Numérique : vous avez reçu un devis",
    lambda quote: (
        f"{quote.provider.name} vous a envoyé un devis de {euros(quote.amount_cents)} HT. "
        "Comparez les devis reçus et choisissez-en un : il sera joint à votre demande de chèque."
    ),
)
_tell_owner_declined = _tell_owner_of_answer(
    "Tremplin Numérique : un prestataire ne peut pas vous faire de devis",
    lambda quote: (
        f"{quote.provider.name} a décliné votre demande de devis. Vous pouvez demander un devis "
        "à un autre prestataire habilité depuis votre dossier."
    ),
)


def _tell_chosen(quote, actor, reason, data):
    notify_members(
        quote.provider,
        "Tremplin Numérique : votre devis est retenu",
        "Une entreprise a retenu votre devis et l'a joint à sa demande de chèque numérique.",
    )


def _tell_replaced(quote, actor, reason, data):
    application = quote.request.application
    notify_members(
        quote.provider,
        "Tremplin Numérique : votre devis n'est plus retenu",
        f"L'entreprise {application.company.display_name} a remplacé votre devis par un autre dans sa "
        "demande de chèque numérique, avant de la déposer : votre devis n'est plus retenu. Vous n'avez "
        "rien à faire.",
    )


def _not_chosen_yet(quote):
    if quote.request.state != QuoteRequest.State.OPEN:
        return request_closed(quote.request)
    return Conflict("not_answered", "Ce prestataire n'a pas encore envoyé de devis.")


QUOTE_WORKFLOW = WorkflowWithConflicts(
    model=Quote,
    states=Quote.State,
    noun="le devis",
    roles={
        MEMBER: lambda user, quote: is_member(user, quote.provider),
        OWNER: lambda user, quote: _is_request_owner(user, quote.request),
    },
    lock=_lock_quote,
    denied=lambda user, quote, t: PermissionDenied(
        "forbidden",
        MEMBERS_ONLY if MEMBER in t.who else "Seul l'auteur de la demande peut choisir un devis.",
    ),
    transitions=[
        transition(
            "answer_quote",
            Quote.State.REQUESTED,
            Quote.State.ANSWERED,
            MEMBER,
            label=_("Devis envoyé"),
            button=_("Envoyer mon devis"),
            success=_("Votre devis est envoyé à l'entreprise."),
            notify=_tell_owner,
        ),
        transition(
            "decline_quote",
            Quote.State.REQUESTED,
            Quote.State.DECLINED,
            MEMBER,
            label=_("Demande de devis déclinée"),
            button=_("Décliner la demande"),
            success=_("Vous avez décliné cette demande de devis."),
            notify=_tell_owner_declined,
        ),
        transition(
            "choose_quote",
            Quote.State.ANSWERED,
            Quote.State.CHOSEN,
            OWNER,
            label=_("Devis retenu"),
            button=_("Choisir ce devis"),
            success=_("Le devis est joint à votre demande, avec le prestataire et le montant."),
            notify=_tell_chosen,
        ),
        # The owner comes back to an answer she had not retained, while her file is a draft.
        transition(
            "choose_again",
            Quote.State.NOT_CHOSEN,
            Quote.State.CHOSEN,
            OWNER,
            label=_("Devis retenu à la place du devis choisi avant"),
            button=_("Choisir ce devis à la place"),
            success=_(
                "Le devis remplace le précédent dans votre demande, avec le prestataire et le montant."
            ),
            notify=_tell_chosen,
        ),
        # The draft now holds another quote (chosen here or uploaded by the owner): this one is no longer
        # retained, and its provider, who was told it was, hears that it is not.
        transition(
            "replace_quote",
            Quote.State.CHOSEN,
            Quote.State.NOT_CHOSEN,
            OWNER,
            label=_("Devis remplacé par un autre dans la demande"),
            notify=_tell_replaced,
        ),
        # The owner chose another quote or cancelled the request.
        transition(
            "set_aside",
            [Quote.State.REQUESTED, Quote.State.ANSWERED],
            Quote.State.NOT_CHOSEN,
            OWNER,
            label=_("Devis non retenu"),
        ),
    ],
    conflicts={
        "answer_quote": lambda quote: Conflict(
            "already_answered", "Ce devis a déjà reçu une réponse ou la demande est close."
        ),
        "decline_quote": lambda quote: Conflict("already_answered", "Ce devis a déjà reçu une réponse."),
        "choose_quote": _not_chosen_yet,
        "choose_again": _not_chosen_yet,
        "replace_quote": lambda quote: Conflict("not_chosen", "Ce devis n'est pas celui retenu."),
    },
)


# --- reviews ----------------------------------------------------------------------------------------

REVIEW_WORKFLOW = WorkflowWithConflicts(
    model=Review,
    states=Review.State,
    noun="l'avis",
    roles={MANAGER: lambda user, review: is_manager(user)},
    denied=lambda user, review, t: PermissionDenied("forbidden", MANAGERS_ONLY),
    events={
        "post_review": _("Avis publié par l'entreprise"),
        "answer_review": _("Réponse du prestataire publiée"),
        # Written before the workflow was declared, when hiding and publishing again had one name.
        "moderate_review": _("Avis modéré"),
    },
    transitions=[
        transition(
            "hide_review",
            Review.State.PUBLISHED,
            Review.State.HIDDEN,
            MANAGER,
            label=_("Avis masqué par la modération"),
            button=_("Masquer cet avis"),
            success=_("L'avis est masqué."),
        ),
        transition(
            "publish_review",
            Review.State.HIDDEN,
            Review.State.PUBLISHED,
            MANAGER,
            label=_("Avis publié de nouveau"),
            button=_("Publier de nouveau"),
            success=_("L'avis est de nouveau publié."),
        ),
    ],
    conflicts={
        name: lambda review: Conflict("no_change", "L'avis est déjà dans cet état.")
        for name in ("hide_review", "publish_review")
    },
)
