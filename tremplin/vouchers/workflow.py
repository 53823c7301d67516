"""The voucher file's workflow, declared once: who moves a file from which state to which, and what
people read about it. The services of `tremplin.vouchers.services` do each transition's own work
through `WORKFLOW.perform()`; pages, queues and the API read this declaration."""

from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role
from tremplin.authority import services as authority
from tremplin.authority.models import Representation
from tremplin.core.errors import PermissionDenied
from tremplin.core.notifications import notify
from tremplin.core.workflow import STAFF, Event, Workflow, transition
from tremplin.vouchers.access import advisor_covers, advisors_of
from tremplin.vouchers.assignment import review_deadline
from tremplin.vouchers.models import OPEN_STATES, STATE_INFO, Application, State

OWNER, ADVISOR, MANAGER, SYSTEM_ROLE = "owner", "advisor", "manager", "system"
# A legal representative of the file's company who did not open it (they may contest it).
REPRESENTATIVE = "representative"

LOST_STANDING = (Representation.Status.REFUSED, Representation.Status.REVOKED)


def remember_standing(application, rep):
    """Tell the file the owner's representation already read, so role checks need not read it again."""
    application.__dict__.setdefault("_standing", {})[application.owner_id] = rep.status if rep else ""


def _is_owner(user, application):
    """The person who opened the file, while their right to act was not refused or revoked."""
    if user.role != Role.OWNER or application.owner_id != user.pk:
        return False
    cache = application.__dict__.setdefault("_standing", {})
    if user.pk not in cache:
        rep = authority.representation_of(user, application.company)
        cache[user.pk] = rep.status if rep else ""
    return cache[user.pk] not in LOST_STANDING


def _is_other_representative(user, application):
    return (
        user.role == Role.OWNER
        and application.owner_id != user.pk
        and authority.may_act(user, application.company)
    )


def _is_manager(user, application):
    return user.role == Role.MANAGER


def _denied(user, application, t):
    if OWNER in t.who and getattr(user, "pk", None) == application.owner_id:
        rep = authority.representation_of(user, application.company)
        if rep and rep.status == Representation.Status.REVOKED:
            return PermissionDenied(
                "mandate_revoked",
                "Votre mandat pour cette entreprise a été retiré : vous ne pouvez plus agir pour elle.",
            )
        if rep and rep.status == Representation.Status.REFUSED:
            return PermissionDenied(
                "authority_refused",
                "Un conseiller a constaté que les pièces ne montrent pas votre qualité pour agir pour cette entreprise.",
            )
    if REPRESENTATIVE in t.who:
        return PermissionDenied(
            "not_a_representative",
            "Seul un représentant légal de l'entreprise, dont la qualité est vérifiée au registre ou par un "
            "conseiller, peut contester une demande.",
        )
    if ADVISOR in t.who and user and getattr(user, "role", None) == Role.ADVISOR:
        return PermissionDenied(
            "other_territory",
            "Ce dossier relève d'un autre territoire : seuls ses conseillers peuvent agir.",
        )
    return None


def _lock(application):
    """Re-read the file inside the transaction, locked where the database can lock a row."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("company__departement", "scheme")
        .get(pk=application.pk)
    )


def _tell_owner(subject, template, *, legal=False, with_reason=None, **extra):
    """A notification to the file's owner; `with_reason` names the template variable given the reason."""

    def send(application, actor, reason, data):
        context = {"application": application, **extra}
        if with_reason:
            context[with_reason] = reason
        notify(
            application.owner,
            subject,
            template,
            legal=legal,
            subject_params={"ref": application.reference},
            **context,
        )

    return send


def _tell_owner_of_submission(application, actor, reason, data):
    notify(
        application.owner,
        "Votre demande {ref} est déposée",
        "vouchers/emails/submitted.txt",
        subject_params={"ref": application.reference},
        application=application,
        position=application.waitlist_position(),
    )


def _tell_advisors(subject, template, *, with_reason=None):
    """A notification to the file's advisors (`advisors_of`), each as their preference says."""

    def send(application, actor, reason, data):
        context = {"application": application, **data}
        if with_reason:
            context[with_reason] = reason
        for advisor in advisors_of(application):
            notify(advisor, subject, template, subject_params={"ref": application.reference}, **context)

    return send


NEW_FILE_SUBJECTS = {
    State.SUBMITTED: "Nouvelle demande {ref} à instruire",
    State.WAITLISTED: "Nouvelle demande {ref} en liste d'attente",
    State.AUTHORITY_CHECK: "Nouvelle demande {ref} : pièces à vérifier",
}


def _tell_advisors_of_submission(application, actor, reason, data):
    """The territory's advisors hear of a new file, unless it waits for a draw (nothing to do before it)."""
    if application.state == State.SUBMITTED and not application.is_funded:
        return
    _tell_advisors(NEW_FILE_SUBJECTS[application.state], "vouchers/emails/advisor_new_file.txt")(
        application,
        actor,
        reason,
        {"position": application.waitlist_position(), "deadline": review_deadline(application)},
    )


def tell_of_submission(application, state):
    """The submission's notices (tasks.tell_of_submission): the owner's receipt describes the file as it
    was submitted (`state`); the advisors hear of it only if it is still there (a later transition, a
    promotion say, has its own notice)."""
    still = application.state == state
    application.state = state
    _tell_owner_of_submission(application, None, "", {})
    if still:
        _tell_advisors_of_submission(application, None, "", {})


def _tell_of_submission_later(application, actor, reason, data):
    """Leave the notices of a submission to the worker: rendering them is no work for the request."""
    from tremplin.vouchers import tasks

    tasks.tell_of_submission.enqueue(application_id=application.pk, state=application.state)


def _tell_advisors_of_funding(how):
    """A file funded after its submission (`how`: "promoted" from the waiting list, or "lottery" by the
    draw) reaches the advisors as a new funded file does; a file the draw leaves waiting does not."""

    def send(application, actor, reason, data):
        if application.state != State.SUBMITTED:
            return
        _tell_advisors("Demande {ref} financée : à instruire", "vouchers/emails/advisor_new_file.txt")(
            application, actor, reason, {"how": how, "deadline": review_deadline(application)}
        )

    return send


def _both(*senders):
    """Several notifications for one transition (the owner's and the advisors')."""

    def send(application, actor, reason, data):
        for sender in senders:
            sender(application, actor, reason, data)

    return send


# The owner answers an advisor's question, on the application or on the claim.
_tell_advisors_of_answer = _tell_advisors(
    "Dossier {ref} : l'entreprise a répondu", "vouchers/emails/advisor_answer.txt", with_reason="message"
)

# An advisor's question, on the application or on the claim: the owner is told what to send.
_ask_owner = _tell_owner(
    "Votre dossier {ref} : des informations sont demandées",
    "vouchers/emails/info_requested.txt",
    with_reason="message",
)

# A refusal, whichever way it is taken (a decision, documents that fall short, an upheld contest).
_tell_not_retained = _tell_owner(
    "Votre demande {ref} n'a pas été retenue",
    "vouchers/emails/rejected.txt",
    legal=True,
    with_reason="reason",
)

# A draft is deleted (services.delete_draft), never withdrawn: nobody else has seen it.
BEFORE_CLAIM = {
    State.SUBMITTED,
    State.AUTHORITY_CHECK,
    State.WAITLISTED,
    State.UNDER_REVIEW,
    State.INFO_REQUESTED,
    State.APPROVED,
}

WORKFLOW = Workflow(
    model=Application,
    states=State,
    state_info=STATE_INFO,
    noun="le dossier",
    roles={
        OWNER: _is_owner,
        ADVISOR: advisor_covers,
        MANAGER: _is_manager,
        REPRESENTATIVE: _is_other_representative,
    },
    lock=_lock,
    denied=_denied,
    # Every action written on a file is named here, so that its timeline has a sentence for each.
    declares_every_event=True,
    events={
        "create": _("Brouillon créé"),
        "delete": _("Brouillon supprimé"),
        "expiry_reminder": _("Rappel envoyé : le chèque expire bientôt"),
        "review_reminder": Event(_("Rappel du délai d'instruction envoyé aux conseillers"), shown_to=STAFF),
        "assign": Event(_("Dossier attribué à {to_advisor}"), shown_to=STAFF),
        # Written by the payments when the file joins a SEPA batch; its reason repeats the batch.
        "add_to_payment_batch": Event(
            _("Dossier ajouté au lot de paiement n° {batch}"), reason_shown_to=STAFF
        ),
        "confirm_payee": _("Compte bancaire vérifié par le conseiller"),
        "change_bank_account": _("Compte bancaire changé (IBAN finissant par {iban_end})"),
        "declare_linked_companies": _("Entreprises liées déclarées (entreprise unique) : {count}"),
        "check_draft": _("Dossier vérifié avant le dépôt : il est prêt"),
    },
    transitions=[
        transition(
            "submit",
            State.DRAFT,
            State.SUBMITTED,
            OWNER,
            also=[State.WAITLISTED, State.AUTHORITY_CHECK],
            label=_("Demande déposée"),
            title=_("Déposer la demande"),
            notify=_tell_of_submission_later,
        ),
        transition(
            "confirm_authority",
            State.AUTHORITY_CHECK,
            State.SUBMITTED,
            ADVISOR,
            also=[State.WAITLISTED],
            label=_("Droit d'agir confirmé par le conseiller, sur pièces"),
            title=_("Confirmer la qualité du demandeur"),
            button=_("Je confirme, sur pièces"),
            success=_(
                "La qualité du demandeur est confirmée : le dossier prend sa place dans l'ordre d'arrivée."
            ),
            notify=_tell_owner(
                "Votre demande {ref} : votre qualité pour agir est confirmée",
                "vouchers/emails/authority_confirmed.txt",
            ),
        ),
        transition(
            "refuse_authority",
            State.AUTHORITY_CHECK,
            State.REJECTED,
            ADVISOR,
            label=_("Droit d'agir non établi par les pièces : demande refusée"),
            title=_("Les pièces ne montrent pas la qualité pour agir"),
            button=_("Refuser la demande"),
            success=_("La demande est refusée : le demandeur est prévenu par courriel."),
            notify=_tell_not_retained,
        ),
        transition(
            "contest",
            OPEN_STATES,
            State.CONTESTED,
            REPRESENTATIVE,
            label=_("Demande contestée par le représentant légal"),
            # The representative's words are for the advisors who decide, not for the person contested.
            reason_shown_to=STAFF,
            notify=_both(
                _tell_owner("Votre demande {ref} est suspendue", "vouchers/emails/contested.txt", legal=True),
                _tell_advisors(
                    "Dossier {ref} contesté par le représentant légal",
                    "vouchers/emails/advisor_contested.txt",
                    with_reason="reason",
                ),
            ),
        ),
        transition(
            "uphold_contest",
            State.CONTESTED,
            State.REJECTED,
            ADVISOR,
            label=_("Contestation retenue : demande refusée"),
            title=_("Retenir la contestation"),
            button=_("Refuser la demande contestée"),
            success=_("La contestation est retenue : la demande est refusée et son budget libéré."),
            notify=_tell_not_retained,
        ),
        transition(
            "dismiss_contest",
            State.CONTESTED,
            State.SUBMITTED,
            ADVISOR,
            also=OPEN_STATES,
            label=_("Contestation écartée : le dossier reprend"),
            reason_shown_to=STAFF,  # the advisor's note (NoteForm)
            title=_("Écarter la contestation"),
            button=_("Le dossier reprend"),
            success=_("La contestation est écartée : le dossier reprend là où il en était."),
        ),
        transition(
            "promote",
            State.WAITLISTED,
            State.SUBMITTED,
            SYSTEM_ROLE,
            label=_("Financé après la liste d'attente"),
            notify=_both(
                _tell_owner(
                    "Bonne nouvelle : votre demande {ref} est financée", "vouchers/emails/promoted.txt"
                ),
                _tell_advisors_of_funding("promoted"),
            ),
        ),
        transition(
            "lottery_drawn",
            State.SUBMITTED,
            State.WAITLISTED,
            SYSTEM_ROLE,
            also=[State.SUBMITTED],
            label=_("Tirage au sort effectué"),
            notify=_tell_advisors_of_funding("lottery"),
        ),
        transition(
            "start_review",
            State.SUBMITTED,
            State.UNDER_REVIEW,
            ADVISOR,
            label=_("Instruction commencée"),
            title=_("Commencer l'instruction"),
            button=_("Je prends ce dossier"),
            success=_("Le dossier est à vous : vous pouvez l'instruire."),
        ),
        transition(
            "request_info",
            State.UNDER_REVIEW,
            State.INFO_REQUESTED,
            ADVISOR,
            label=_("Informations demandées"),
            title=_("Demander des informations"),
            button=_("Envoyer la demande"),
            success=_("Votre demande d'informations est envoyée à l'entreprise."),
            notify=_ask_owner,
        ),
        transition(
            "answer_info",
            State.INFO_REQUESTED,
            State.UNDER_REVIEW,
            OWNER,
            label=_("Réponse de l'entreprise"),
            title=_("Répondre au conseiller"),
            button=_("Envoyer ma réponse"),
            success=_("Votre réponse est envoyée au conseiller."),
            notify=_tell_advisors_of_answer,
        ),
        transition(
            "approve",
            State.UNDER_REVIEW,
            State.APPROVED,
            ADVISOR,
            label=_("Chèque accordé"),
            reason_shown_to=STAFF,  # the advisor's note (NoteForm)
            title=_("Accorder le chèque"),
            button=_("Accorder le chèque"),
            success=_("Le chèque est accordé. L'entreprise est prévenue par courriel."),
            notify=_tell_owner(
                "Votre chèque numérique {ref} est accordé", "vouchers/emails/approved.txt", legal=True
            ),
        ),
        transition(
            "reject",
            # A file waiting for the check of who applies is refused through refuse_authority.
            [State.SUBMITTED, State.UNDER_REVIEW, State.INFO_REQUESTED, State.WAITLISTED],
            State.REJECTED,
            ADVISOR,
            label=_("Demande refusée"),
            title=_("Refuser la demande"),
            button=_("Refuser la demande"),
            success=_("La demande est refusée. L'entreprise est prévenue par courriel."),
            notify=_tell_not_retained,
        ),
        transition(
            "withdraw",
            BEFORE_CLAIM,
            State.WITHDRAWN,
            OWNER,
            label=_("Demande retirée"),
            title=_("Retirer ma demande"),
            button=_("Retirer ma demande"),
            success=_("Votre demande est retirée."),
        ),
        transition(
            "submit_claim",
            State.APPROVED,
            State.CLAIM_SUBMITTED,
            OWNER,
            label=_("Demande de paiement déposée"),
            title=_("Demander le paiement du chèque"),
            button=_("Envoyer ma demande de paiement"),
            success=_("Votre demande de paiement est envoyée. Un conseiller va vérifier votre facture."),
            notify=_tell_advisors(
                "Dossier {ref} : demande de paiement à vérifier", "vouchers/emails/advisor_claim.txt"
            ),
        ),
        transition(
            "start_claim_review",
            State.CLAIM_SUBMITTED,
            State.CLAIM_UNDER_REVIEW,
            ADVISOR,
            label=_("Vérification de la facture commencée"),
            title=_("Vérifier la demande de paiement"),
            button=_("Je vérifie cette demande"),
            success=_("Vous vérifiez cette demande de paiement."),
        ),
        transition(
            "request_claim_info",
            State.CLAIM_UNDER_REVIEW,
            State.CLAIM_INFO_REQUESTED,
            ADVISOR,
            label=_("Pièces complémentaires demandées"),
            title=_("Demander des pièces complémentaires"),
            button=_("Envoyer la demande"),
            success=_("Votre demande de pièces est envoyée à l'entreprise."),
            notify=_ask_owner,
        ),
        transition(
            "answer_claim_info",
            State.CLAIM_INFO_REQUESTED,
            State.CLAIM_UNDER_REVIEW,
            OWNER,
            label=_("Réponse de l'entreprise"),
            title=_("Répondre au conseiller"),
            button=_("Envoyer ma réponse"),
            success=_("Votre réponse est envoyée au conseiller."),
            notify=_tell_advisors_of_answer,
        ),
        transition(
            "approve_claim",
            State.CLAIM_UNDER_REVIEW,
            State.CLAIM_APPROVED,
            ADVISOR,
            label=_("Paiement validé"),
            reason_shown_to=STAFF,  # the advisor's note (NoteForm)
            title=_("Valider le paiement"),
            button=_("Valider le paiement"),
            success=_("Le paiement est validé : il partira dans le prochain lot de virements."),
            notify=_tell_owner(
                "Votre demande de paiement {ref} est validée", "vouchers/emails/claim_approved.txt"
            ),
        ),
        transition(
            "mark_paid",
            State.CLAIM_APPROVED,
            State.PAID,
            MANAGER,
            label=_("Paiement effectué"),
            reason_shown_to=STAFF,  # the batch's reference, told by add_to_payment_batch
            title=_("Enregistrer le paiement"),
            notify=_tell_owner(
                "Le paiement de votre chèque {ref} est effectué", "vouchers/emails/paid.txt", legal=True
            ),
        ),
        transition(
            "expire",
            State.APPROVED,
            State.EXPIRED,
            [MANAGER, SYSTEM_ROLE],
            label=_("Chèque expiré"),
            title=_("Constater l'expiration"),
            button=_("Faire expirer le chèque"),
            success=_("Le chèque a expiré : son budget est libéré."),
            notify=_tell_owner("Votre chèque {ref} a expiré", "vouchers/emails/expired.txt", legal=True),
        ),
        transition(
            "claw_back",
            State.PAID,
            State.CLAWED_BACK,
            MANAGER,
            label=_("Reversement exigé"),
            title=_("Exiger un reversement"),
            button=_("Exiger le reversement"),
            success=_("Le reversement est enregistré."),
            notify=_tell_owner(
                "Reversement demandé pour le chèque {ref}",
                "vouchers/emails/clawed_back.txt",
                legal=True,
                with_reason="reason",
            ),
        ),
    ],
)
