"""The one way to fetch voucher files for a user (built on the one access rule)."""

from tremplin.accounts.access import advisors_covering, covers, get_for_user, scope
from tremplin.accounts.models import Role
from tremplin.vouchers.models import Application, State


def applications_for(user):
    """Owners see theirs; advisors the files of their territory; providers those where they are the
    chosen provider; managers and auditors all. Drafts stay between the owner and the platform."""
    qs = scope(
        Application.objects.select_related("company", "company__departement", "scheme", "provider"),
        user,
        owner="owner",
        advisor="company__departement",
        provider="provider_id",
    )
    if user.is_authenticated and user.role in (Role.ADVISOR, Role.PROVIDER):
        qs = qs.exclude(state=State.DRAFT)
    return qs


def get_application_for_user(user, pk, *, with_envelope=False, select=()):
    """The file `pk` if `user` may see it (404 otherwise); `with_envelope` reads its budget's région too,
    `select` these relations (select_related)."""
    qs = applications_for(user)
    if with_envelope:
        qs = qs.select_related("envelope__region")
    if select:
        qs = qs.select_related(*select)
    return get_for_user(qs, pk, "Dossier introuvable.")


def advisor_covers(user, application) -> bool:
    """Whether this advisor's organisation covers the file's company."""
    return covers(user, application.company.departement_id)


def advisors_of(application):
    """Whom to tell about the file: the advisor it is assigned to, else every advisor of its territory."""
    assigned = application.assigned_advisor
    if assigned and assigned.is_active:
        return [assigned]
    return list(advisors_covering(application.company.departement_id).order_by("id"))
