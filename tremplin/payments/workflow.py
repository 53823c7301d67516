"""The payment batch's workflow, declared once: a batch is prepared (draft), then paid or cancelled;
its file may be rebuilt while it is a draft. Programme managers alone take these steps.
`tremplin.payments.services` does each step's own work through `WORKFLOW.perform()`; each claim of a
paid batch is paid through the voucher file's own workflow."""

from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role
from tremplin.core.errors import PermissionDenied
from tremplin.core.workflow import StateInfo, Workflow, transition
from tremplin.payments.models import PaymentBatch

State = PaymentBatch.State
MANAGER = "manager"
REGENERATE, MARK_PAID, CANCEL = "regenerate_xml", "mark_batch_paid", "cancel_batch"

# What people are refused, in their words: "Seul un gestionnaire du programme peut …".
_WHAT = {
    "create_batch": "créer un lot de paiement",
    REGENERATE: "régénérer un fichier de virement",
    MARK_PAID: "enregistrer le paiement d'un lot",
    CANCEL: "annuler un lot de paiement",
}


def is_manager(user, batch=None):
    return bool(user and getattr(user, "is_authenticated", False) and user.role == Role.MANAGER)


def refusal(name):
    return PermissionDenied("forbidden", f"Seul un gestionnaire du programme peut {_WHAT[name]}.")


def _lock(batch):
    return PaymentBatch.objects.select_for_update().select_related("scheme").get(pk=batch.pk)


STATE_INFO = {
    State.DRAFT: StateInfo(badge="fr-badge--info"),
    State.PAID: StateInfo(badge="fr-badge--success"),
    State.CANCELLED: StateInfo(),
}

WORKFLOW = Workflow(
    model=PaymentBatch,
    states=State,
    state_info=STATE_INFO,
    noun="le lot",
    roles={MANAGER: is_manager},
    lock=_lock,
    denied=lambda user, batch, t: refusal(t.name),
    events={"create_batch": _("Lot de virements préparé")},
    transitions=[
        transition(
            REGENERATE,
            State.DRAFT,
            State.DRAFT,
            MANAGER,
            label=_("Fichier de virements régénéré"),
            button=_("Régénérer le fichier"),
            success=_("Le fichier de virements est régénéré avec les coordonnées bancaires à jour."),
        ),
        transition(
            MARK_PAID,
            State.DRAFT,
            State.PAID,
            MANAGER,
            label=_("Lot payé"),
            title=_("Enregistrer le paiement"),
            button=_("Marquer comme payé"),
            success=_("Le lot est payé : chaque entreprise est prévenue par courriel."),
        ),
        transition(
            CANCEL,
            State.DRAFT,
            State.CANCELLED,
            MANAGER,
            label=_("Lot annulé"),
            title=_("Annuler le lot"),
            button=_("Annuler ce lot"),
            success=_("Le lot est annulé. Ses dossiers pourront entrer dans un nouveau lot."),
        ),
    ],
)
