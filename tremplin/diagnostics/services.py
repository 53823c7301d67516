"""Every change of a diagnostic: permission, precondition, transaction, audit.

Views and the API call these functions and nothing else to change a diagnostic.
"""

from django.db import transaction
from django.utils import timezone

from tremplin.accounts.access import covers
from tremplin.accounts.models import Role
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.language import programme_language
from tremplin.diagnostics import peers, questionnaire, scoring
from tremplin.diagnostics.access import may_answer
from tremplin.diagnostics.models import Diagnostic, State
from tremplin.registry import lookup


@programme_language
def start(user, company, owner=None):
    """Start (or resume) a diagnostic of this company; returns (diagnostic, created).

    An owner starts one for their company. An advisor starts one for a company of their
    territory, with the owner at their side; `owner` then names the owner's account, if any.
    """
    if user.role == Role.OWNER:
        owner = user
        conducted_by = None
    elif user.role == Role.ADVISOR:
        if not covers(user, company.departement_id):
            raise PermissionDenied(
                "other_territory",
                "Cette entreprise relève d'un autre territoire : seuls ses conseillers peuvent faire son diagnostic.",
                "siren",
            )
        if owner is not None and owner.role != Role.OWNER:
            raise ServiceError(
                "not_an_owner", "Ce compte n'est pas celui d'un chef d'entreprise.", "owner_email"
            )
        conducted_by = user
    else:
        raise PermissionDenied(
            "forbidden", "Seuls le chef d'entreprise ou son conseiller peuvent faire un diagnostic."
        )
    lookup.ensure_active(company, "siren")
    with transaction.atomic():
        existing = (
            Diagnostic.objects.filter(
                company=company, state=State.IN_PROGRESS, owner=owner, conducted_by=conducted_by
            )
            .order_by("-created_at")
            .first()
        )
        if existing is not None:
            return existing, False
        diagnostic = Diagnostic.objects.create(
            company=company, owner=owner, conducted_by=conducted_by, version=questionnaire.CURRENT.version
        )
        audit.record(diagnostic, actor=user, action="diagnostic_started", to_state=State.IN_PROGRESS)
    return diagnostic, True


def _guard(user, diagnostic):
    if not may_answer(user, diagnostic):
        raise PermissionDenied("forbidden", "Vous ne pouvez pas répondre à ce diagnostic.")


def _lock(diagnostic):
    return (
        Diagnostic.objects.select_for_update(of=("self",))
        .select_related("company__departement")
        .get(pk=diagnostic.pk)
    )


def _check_open(diagnostic):
    if diagnostic.state != State.IN_PROGRESS:
        raise Conflict(
            "already_completed",
            "Ce diagnostic est terminé : ses réponses ne changent plus. Pour mesurer vos progrès, "
            "commencez un nouveau diagnostic.",
        )


@programme_language
def save_answers(user, diagnostic, answers, version=None):
    """Save answers to some questions (one screen, or all); nothing is saved if one is refused."""
    _guard(user, diagnostic)
    if version is not None and version != diagnostic.version:
        raise ServiceError(
            "version_mismatch",
            f"Ces réponses suivent la version « {version} » du questionnaire, mais ce diagnostic "
            f"utilise la version « {diagnostic.version} ». Rechargez le questionnaire.",
            "version",
        )
    _check_open(diagnostic)
    clean = scoring.clean_answers(diagnostic.questionnaire, answers)
    with transaction.atomic():
        locked = _lock(diagnostic)
        _check_open(locked)
        locked.answers = {**locked.answers, **clean}
        locked.save(update_fields=["answers", "updated_at"])
    return locked


@programme_language
def complete(user, diagnostic):
    """Score the diagnostic once, count it in its peer groups, and trace it."""
    _guard(user, diagnostic)
    _check_open(diagnostic)
    with transaction.atomic():
        locked = _lock(diagnostic)
        _check_open(locked)
        missing = locked.first_unanswered_step()
        if missing is not None:
            dimension = locked.questionnaire.dimensions[missing - 1]
            # The diagnostic is not ready to be scored yet: its state, not the request, is at fault.
            raise Conflict(
                "incomplete",
                f"Il reste des questions sans réponse dans l'étape {missing} « {dimension.title} ».",
                "answers",
            )
        result = scoring.score(locked.questionnaire, locked.answers)
        apply_result(locked, result)
        locked.state = State.COMPLETED
        locked.completed_at = timezone.now()
        locked.save()
        peers.count_in(locked)
        audit.record(
            locked,
            actor=user,
            action="diagnostic_completed",
            from_state=State.IN_PROGRESS,
            to_state=State.COMPLETED,
            overall=str(locked.overall_score),
            level=locked.level,
        )
        if locked.conducted_by_id:
            record_network_action(locked)
    return locked


def apply_result(diagnostic, result):
    """Copy a scoring result and the frozen peer-group fields onto the diagnostic (not saved)."""
    diagnostic.overall_score = scoring.rounded(result.overall)
    diagnostic.level = result.level
    diagnostic.dimension_scores = {k: str(scoring.rounded(v)) for k, v in result.dimensions.items()}
    diagnostic.question_scores = {k: str(scoring.rounded(v)) for k, v in result.questions.items()}
    diagnostic.score_bucket = result.bucket
    for name, value in peers.peer_fields(diagnostic.company).items():
        setattr(diagnostic, name, value)


def record_network_action(diagnostic):
    """An advisor ran this diagnostic with the owner: it counts as a "diagnostic" action of their
    organisation in the network's action log (reach), and is traced in the audit trail."""
    from tremplin.network.services import log_action

    log_action(
        "diagnostic",
        diagnostic.conducted_by,
        diagnostic.company,
        timezone.localdate(diagnostic.completed_at),
        diagnostic=diagnostic.pk,
    )
    audit.record(
        diagnostic,
        actor=diagnostic.conducted_by,
        action="diagnostic_conducted",
        organisation=diagnostic.conducted_by.organisation_id,
        company=diagnostic.company_id,
    )
