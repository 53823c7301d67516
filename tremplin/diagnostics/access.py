"""The one way to fetch diagnostics for a user."""

from django.utils import timezone

from tremplin.accounts.access import covers, get_for_user, scope
from tremplin.accounts.models import Role
from tremplin.diagnostics.models import Diagnostic

# Who may start a diagnostic: an owner for her company, an advisor with an owner. The others read them.
STARTERS = (Role.OWNER, Role.ADVISOR)


def may_start(user) -> bool:
    return getattr(user, "role", None) in STARTERS


def diagnostics_for(user):
    """Owners see theirs; advisors those of their organisation's départements; managers and auditors all."""
    return scope(
        Diagnostic.objects.select_related("company__departement__region", "owner", "conducted_by"),
        user,
        owner="owner",
        advisor="company__departement",
    )


def get_diagnostic_for_user(user, pk):
    return get_for_user(diagnostics_for(user), pk, "Diagnostic introuvable.")


def may_answer(user, diagnostic, covered=None) -> bool:
    """The owner it belongs to, or an advisor of its territory (running it with the owner).

    A list checking many diagnostics passes `covered=covered_departements(user)`, read once.
    """
    if user.role == Role.OWNER:
        return diagnostic.owner_id == user.pk
    if user.role == Role.ADVISOR:
        if covered is not None:
            return bool(diagnostic.company.departement_id) and diagnostic.company.departement_id in covered
        return covers(user, diagnostic.company.departement_id)
    return False


def resumable(user):
    """The unfinished diagnostic this person answered last, for a "Reprendre mon diagnostic" link."""
    if not may_start(user):
        return None
    qs = diagnostics_for(user).filter(state="in_progress")
    if user.role == Role.ADVISOR:
        qs = qs.filter(conducted_by=user)
    return qs.order_by("-updated_at").first()


def last_completed_at(company):
    """When this company last completed a diagnostic (any author), or None: for the scheme rule
    "diagnostic completed within N months". One indexed query."""
    return (
        Diagnostic.objects.filter(company=company, state="completed")
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )


def last_completed_on(company):
    """The local date of `last_completed_at`: the fact `last_diagnostic_on` of the scheme rules."""
    completed_at = last_completed_at(company)
    return timezone.localdate(completed_at) if completed_at else None
