"""The one access rule: who sees which objects, written once for every app.

Programme managers and auditors see everything; an advisor sees what lies in the départements their
organisation covers; a provider what concerns it; a business owner what is theirs. Each app's
`<things>_for(user)` scopes its queryset with `scope()`, and fetches one object with `get_for_user()`;
views and the API use nothing else.
"""

from collections.abc import Callable

from django.db.models import Q
from django.http import Http404

from tremplin.accounts.models import Role, User

SEES_EVERYTHING = (Role.MANAGER, Role.AUDITOR)

# What a role sees: a lookup compared with the user's key (see `scope`), or a function user -> Q.
Rule = str | Callable | None


def covers(user, departement) -> bool:
    """Whether `user` is an advisor whose organisation covers this département (object, code or None)."""
    code = getattr(departement, "pk", departement)
    return bool(
        code
        and user
        and getattr(user, "is_authenticated", False)
        and user.role == Role.ADVISOR
        and user.organisation_id
        and user.organisation.departements.filter(pk=code).exists()
    )


def advisors_covering(departement):
    """The active advisors whose organisation covers this département (object or code): its territory's."""
    return User.objects.filter(
        role=Role.ADVISOR, is_active=True, organisation__departements=getattr(departement, "pk", departement)
    )


def covered_departements(user) -> frozenset:
    """The départements `user` covers as an advisor, read in one query (empty for anyone else).

    For a list that would otherwise ask `covers` once per row.
    """
    if not (user and getattr(user, "is_authenticated", False) and user.role == Role.ADVISOR):
        return frozenset()
    if not user.organisation_id:
        return frozenset()
    return frozenset(user.organisation.departements.values_list("pk", flat=True))


def _condition(rule, user, key):
    if callable(rule):
        return rule(user)
    return Q(**{rule: key})


def scope(qs, user, *, owner: Rule = None, advisor: Rule = None, provider: Rule = None):
    """`qs` narrowed to what `user` may see.

    `advisor` is the path to the object's département (compared with the départements the advisor's
    organisation covers) or a function; `owner` the path to the owning user; `provider` the path to the
    provider. A role given no rule sees nothing, and so does anyone not signed in.
    """
    if not user or not user.is_authenticated:
        return qs.none()
    if user.role in SEES_EVERYTHING:
        return qs
    if user.role == Role.ADVISOR and advisor is not None:
        if callable(advisor):
            return qs.filter(advisor(user))
        if not user.organisation_id:
            return qs.none()
        return qs.filter(**{f"{advisor}__organisations": user.organisation_id})
    if user.role == Role.PROVIDER and provider is not None and user.provider_id:
        return qs.filter(_condition(provider, user, user.provider_id))
    if user.role == Role.OWNER and owner is not None:
        return qs.filter(_condition(owner, user, user.pk))
    return qs.none()


def get_for_user(qs, pk, not_found="Introuvable."):
    """One object of an already scoped queryset, or a 404 with a plain French message."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(not_found) from None
