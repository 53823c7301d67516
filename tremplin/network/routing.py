"""Which advisors a request goes to.

Pure parts (`passes`, `pick`) decide on plain values; `eligible_advisors` and `route`
ask the database with a fixed number of queries, whatever the size of the network:
covering antennas, advisors of those antennas on the theme, their organisations'
filters, and one indexed count of open matches per candidate (the caseload).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from tremplin.accounts.models import Role
from tremplin.network.models import (
    OPEN_MATCH_STATES,
    AdvisorProfile,
    Antenna,
    Match,
    OrganisationFilter,
)
from tremplin.registry.headcount import HEADCOUNT_BRACKETS

MAX_ADVISORS = 3


@dataclass(frozen=True)
class CompanyFacts:
    """What organisation filters look at; None when the company is not in the registry."""

    naf_code: str | None = None
    headcount_bracket: str | None = None
    age_months: int | None = None
    legal_form: str | None = None

    @classmethod
    def of(cls, company, on: date):
        if company is None:
            return cls()
        return cls(
            naf_code=company.naf_code or None,
            headcount_bracket=company.headcount_bracket or None,
            age_months=company.age_in_months(on),
            legal_form=company.legal_form or None,
        )


def _starts(value, prefixes):
    return any(value.startswith(str(p)) for p in prefixes)


def passes(kind: str, params: dict, facts: CompanyFacts) -> bool:
    """Whether a company passes one organisation filter.

    An unknown fact (company not in the registry) never excludes: the advisor will ask.
    """
    K = OrganisationFilter.Kind
    if kind in (K.NAF_PREFIXES_IN, K.NAF_PREFIXES_OUT):
        if facts.naf_code is None:
            return True
        hit = _starts(facts.naf_code, params.get("prefixes", []))
        return hit if kind == K.NAF_PREFIXES_IN else not hit
    if kind in (K.LEGAL_FORMS_IN, K.LEGAL_FORMS_OUT):
        if facts.legal_form is None:
            return True
        hit = _starts(facts.legal_form, params.get("prefixes", []))
        return hit if kind == K.LEGAL_FORMS_IN else not hit
    if kind == K.MAX_HEADCOUNT_BRACKET:
        if facts.headcount_bracket not in HEADCOUNT_BRACKETS or params.get("max") not in HEADCOUNT_BRACKETS:
            return True
        return HEADCOUNT_BRACKETS.index(facts.headcount_bracket) <= HEADCOUNT_BRACKETS.index(params["max"])
    if kind == K.MIN_COMPANY_AGE_MONTHS:
        if facts.age_months is None:
            return True
        return facts.age_months >= int(params.get("months", 0))
    raise ValueError(f"Unknown organisation filter: {kind}")


def pick(candidates, caseloads, *, limit=MAX_ADVISORS, excluded_organisations=()):
    """Lowest open caseload first, advisor id to break ties; one advisor per organisation.

    `candidates` are (advisor_id, organisation_id) pairs already eligible.
    """
    chosen, organisations = [], set(excluded_organisations)
    for advisor_id, organisation_id in sorted(candidates, key=lambda c: (caseloads.get(c[0], 0), c[0])):
        if len(chosen) == limit:
            break
        if organisation_id in organisations:
            continue
        chosen.append(advisor_id)
        organisations.add(organisation_id)
    return chosen


def covering_antennas(commune_code, departement_id):
    """Antennas listing this commune, or listing no commune and covering the département."""
    has_communes = Exists(Antenna.communes.through.objects.filter(antenna_id=OuterRef("pk")))
    query = Q()
    if commune_code:
        query |= Q(communes=commune_code)
    if departement_id:
        query |= Q(departements=departement_id) & ~has_communes
    if not query:
        return []
    return list(Antenna.objects.filter(query).values_list("pk", flat=True).distinct())


def eligible_advisors(request, *, on: date, exclude_advisors=()):
    """(advisor_id, organisation_id) of active advisors covering the request's place and theme."""
    antennas = covering_antennas(request.commune_code, request.departement_id)
    if not antennas:
        return []
    Specialty = AdvisorProfile.specialties.through
    AntennaTheme = Antenna.themes.through
    rows = list(
        AdvisorProfile.objects.filter(
            antenna_id__in=antennas,
            active=True,
            user__is_active=True,
            user__role=Role.ADVISOR,
        )
        .filter(
            Exists(Specialty.objects.filter(advisorprofile_id=OuterRef("pk"), theme_id=request.theme_id))
            | Exists(
                AntennaTheme.objects.filter(antenna_id=OuterRef("antenna_id"), theme_id=request.theme_id)
            )
        )
        .exclude(user_id__in=list(exclude_advisors))
        .values_list("user_id", "antenna__organisation_id")
    )
    if not rows:
        return []
    facts = CompanyFacts.of(request.company, on)
    refused = set()
    for organisation_id, kind, params in OrganisationFilter.objects.filter(
        organisation_id__in={org for _, org in rows}
    ).values_list("organisation_id", "kind", "params"):
        if not passes(kind, params or {}, facts):
            refused.add(organisation_id)
    return [(advisor, org) for advisor, org in rows if org not in refused]


def caseloads(advisor_ids):
    """Open matches per advisor: one grouped count on the (advisor, state) index."""
    if not advisor_ids:
        return {}
    return dict(
        Match.objects.filter(advisor_id__in=list(advisor_ids), state__in=OPEN_MATCH_STATES)
        .values("advisor_id")
        .annotate(n=Count("id"))
        .values_list("advisor_id", "n")
    )


def route(request, *, on: date, limit=MAX_ADVISORS, exclude_advisors=(), excluded_organisations=()):
    """The advisor ids a request should go to now (possibly none: national queue)."""
    candidates = eligible_advisors(request, on=on, exclude_advisors=exclude_advisors)
    if not candidates:
        return []
    return pick(
        candidates,
        caseloads({advisor for advisor, _ in candidates}),
        limit=limit,
        excluded_organisations=excluded_organisations,
    )
