"""The one way to fetch diagnostics for a user."""

from django.http import Http404

from tremplin.accounts.models import Role
from tremplin.diagnostics.models import Diagnostic


def diagnostics_for(user):
    """Owners see theirs; advisors those of their organisation's départements; managers and auditors all."""
    qs = Diagnostic.objects.select_related("company__departement__region", "owner", "conducted_by")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return qs
    if user.role == Role.ADVISOR:
        if not user.organisation_id:
            return qs.none()
        return qs.filter(company__departement__organisations=user.organisation_id)
    if user.role == Role.OWNER:
        return qs.filter(owner=user)
    return qs.none()


def get_diagnostic_for_user(user, pk):
    try:
        return diagnostics_for(user).get(pk=pk)
    except (Diagnostic.DoesNotExist, ValueError, TypeError):
        raise Http404("Diagnostic introuvable.") from None


def advisor_covers_company(user, company) -> bool:
    """Whether this advisor's organisation covers the company's département."""
    return bool(
        user.role == Role.ADVISOR
        and user.organisation_id
        and company.departement_id
        and user.organisation.departements.filter(pk=company.departement_id).exists()
    )


def may_answer(user, diagnostic) -> bool:
    """The owner it belongs to, or an advisor of its territory (running it with the owner)."""
    if user.role == Role.OWNER:
        return diagnostic.owner_id == user.pk
    if user.role == Role.ADVISOR:
        return advisor_covers_company(user, diagnostic.company)
    return False


def resumable(user):
    """The unfinished diagnostic this person answered last, for a "Reprendre mon diagnostic" link."""
    if user.role not in (Role.OWNER, Role.ADVISOR):
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
