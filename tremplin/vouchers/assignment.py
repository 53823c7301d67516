"""Who reviews a file: an advisor takes it or gives it to a colleague; a programme manager assigns anyone.

Only the reviewer changes here: the file's state stays where it is.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tremplin.accounts.access import advisors_covering
from tremplin.accounts.models import Role
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.language import programme_language
from tremplin.core.notifications import notify
from tremplin.vouchers.access import advisor_covers
from tremplin.vouchers.models import BEFORE_DECISION, REVIEW, Application, State, states_tagged

REVIEW_STATES = states_tagged(REVIEW)
# Before a decision, the scheme's review time target applies.
SLA_STATES = states_tagged(BEFORE_DECISION)
# "Expires soon" in the queue: approved vouchers whose deadline falls within this delay.
EXPIRES_SOON = timedelta(days=30)


def queue_filter(qs, *, expires_soon, today):
    """The files of the review queue (or those about to expire) among `qs`, and their order."""
    if expires_soon:
        qs = qs.filter(state=State.APPROVED, valid_until__gte=today, valid_until__lte=today + EXPIRES_SOON)
        return qs, ("valid_until", "id")
    # A submitted file is to review once funded (a lottery file waits for the draw).
    qs = qs.filter(
        Q(state=State.SUBMITTED, reserved_cents__gt=0)
        | Q(state__in=[s for s in REVIEW_STATES if s != State.SUBMITTED])
    )
    return qs, ("submitted_at", "id")


def age_days(application, today):
    """Days since submission."""
    if not application.submitted_at:
        return 0
    return (today - timezone.localdate(application.submitted_at)).days


def review_deadline(application):
    """The last day of the scheme's review time target, counted from submission (None before it)."""
    if not application.submitted_at:
        return None
    return timezone.localdate(application.submitted_at) + timedelta(days=application.scheme.review_sla_days)


def is_overdue(application, today):
    """Still before a decision and past the scheme's review time target."""
    return (
        application.state in SLA_STATES
        and bool(application.submitted_at)
        and today > review_deadline(application)
    )


def may_reassign(advisor, application):
    """Whether the queue offers this advisor to assign the file: a file another organisation follows
    is theirs to hand over."""
    return application.state in REVIEW_STATES and (
        application.assigned_advisor is None
        or application.assigned_advisor.organisation_id == advisor.organisation_id
    )


def assignable_advisors(actor, application):
    """The advisors `actor` may give this file to: active, covering its département, and of the actor's
    organisation unless the actor is a programme manager."""
    qs = advisors_covering(application.company.departement_id)
    if actor.role != Role.MANAGER:
        qs = qs.filter(organisation_id=actor.organisation_id)
    return qs.select_related("organisation").order_by("last_name", "first_name", "id")


@programme_language
def assign(actor, application, advisor):
    """Make `advisor` the reviewer of `application`. Call inside or outside a transaction."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("company__departement", "assigned_advisor")
            .get(pk=application.pk)
        )
        _check(actor, application, advisor)
        previous = application.assigned_advisor
        application.assigned_advisor = advisor
        application.save(update_fields=["assigned_advisor", "updated_at"])
        audit.record(
            application,
            actor=actor,
            action="assign",
            from_state=application.state,
            to_state=application.state,
            from_advisor=str(previous) if previous else "",
            to_advisor=str(advisor),
            from_advisor_id=previous.pk if previous else None,
            to_advisor_id=advisor.pk,
        )
        if advisor.pk != actor.pk:
            # Whoever takes a file knows it already; a colleague given one is told.
            notify(
                advisor,
                "Le dossier {ref} vous est attribué",
                "vouchers/emails/assigned.txt",
                subject_params={"ref": application.reference},
                application=application,
                actor=actor,
            )
    return application


def _check(actor, application, advisor):
    if actor.role == Role.ADVISOR:
        if not advisor_covers(actor, application):
            raise PermissionDenied(
                "other_territory",
                "Ce dossier relève d'un autre territoire : seuls ses conseillers peuvent l'attribuer.",
            )
        previous = application.assigned_advisor
        if previous and previous.organisation_id != actor.organisation_id:
            raise PermissionDenied(
                "other_organisation",
                f"Ce dossier est suivi par {previous}, d'une autre organisation : seul un gestionnaire du "
                "programme peut le réattribuer.",
            )
        if advisor.organisation_id != actor.organisation_id:
            raise PermissionDenied(
                "other_organisation",
                f"{advisor} n'est pas de votre organisation : vous ne pouvez pas lui attribuer ce dossier.",
            )
    elif actor.role != Role.MANAGER:
        raise PermissionDenied(
            "forbidden", "Seuls les conseillers et les gestionnaires attribuent les dossiers."
        )
    if not (advisor.is_active and advisor_covers(advisor, application)):
        raise PermissionDenied(
            "advisor_not_covering",
            f"{advisor} ne couvre pas le département de ce dossier : choisissez un conseiller de ce territoire.",
        )
    if application.state not in REVIEW_STATES:
        raise Conflict(
            "not_reviewable",
            f"Ce dossier n'attend pas d'instruction (il est « {application.get_state_display()} ») : "
            "il ne peut pas être attribué.",
        )
    if application.assigned_advisor_id == advisor.pk:
        raise Conflict("already_assigned", f"Ce dossier est déjà attribué à {advisor}.")


@programme_language
def assign_to_self(advisor, applications):
    """Take several files at once: all of them, or none if one is refused (the error names it)."""
    with transaction.atomic():
        for application in applications:
            try:
                assign(advisor, application, advisor)
            except (PermissionDenied, Conflict) as error:
                raise type(error)(error.code, f"{application.reference} : {error.message}") from None
    return len(applications)
