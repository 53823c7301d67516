"""The one way to fetch voucher files for a user."""

from django.http import Http404

from tremplin.accounts.models import Role
from tremplin.vouchers.models import Application


def applications_for(user):
    qs = Application.objects.select_related("company", "company__departement", "scheme", "provider")
    if not user.is_authenticated:
        return qs.none()
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return qs
    if user.role == Role.ADVISOR:
        if not user.organisation_id:
            return qs.none()
        return qs.filter(company__departement__organisations=user.organisation_id).exclude(state="draft")
    if user.role == Role.PROVIDER:
        if not user.provider_id:
            return qs.none()
        return qs.filter(provider_id=user.provider_id).exclude(state="draft")
    return qs.filter(owner=user)


def get_application_for_user(user, pk):
    try:
        return applications_for(user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("Dossier introuvable.") from None


def advisor_covers(user, application) -> bool:
    """Whether this advisor's organisation covers the company's département."""
    return bool(
        user.role == Role.ADVISOR
        and user.organisation_id
        and application.company.departement_id
        and user.organisation.departements.filter(pk=application.company.departement_id).exists()
    )
