"""Who sees which steering figures: the nation, or one organisation's territory.

Programme managers and auditors see the whole programme (auditors change nothing: steering pages only
read); an advisor who heads their organisation (`User.heads_organisation`) sees the figures of the
départements it covers; nobody else sees a steering page. Every steering query goes through
`Scope.filter`, so a territory's head never counts a file outside it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tremplin.accounts.models import Role


@dataclass(frozen=True)
class Scope:
    national: bool
    departements: frozenset  # the codes covered; empty when national
    label: str

    def filter(self, queryset, field="company__departement"):
        """`queryset` restricted to the scope; `field` leads to the département's code."""
        if self.national:
            return queryset
        return queryset.filter(**{f"{field}__in": self.departements})

    def covers(self, departement_code):
        return self.national or departement_code in self.departements


def may_steer(user):
    return bool(
        getattr(user, "is_authenticated", False)
        and (
            user.role in (Role.MANAGER, Role.AUDITOR)
            or (user.role == Role.ADVISOR and user.heads_organisation and user.organisation_id)
        )
    )


def scope_for(user):
    """The scope of `user`'s steering pages; PermissionDenied for anyone who may not steer."""
    if not may_steer(user):
        raise PermissionDenied
    if user.role in (Role.MANAGER, Role.AUDITOR):
        return Scope(national=True, departements=frozenset(), label=_("France entière"))
    codes = frozenset(user.organisation.departements.values_list("pk", flat=True))
    return Scope(national=False, departements=codes, label=user.organisation.name)
