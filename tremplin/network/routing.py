"""Which advisors a request goes to.

Pure parts (`passes`, `pick`) decide on plain values; `candidates` asks the database with
two queries, whatever the size of the network: the advisors of the covering antennas on the
theme, each with an index-only count of their open matches (the caseload), then their
organisations' filters.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Exists, OuterRef, Q

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
    """Antennas listing this commune, or listing no commune and covering the département (a queryset)."""
    has_communes = Exists(Antenna.communes.through.objects.filter(antenna_id=OuterRef("pk")))
    query = Q()
    if commune_code:
        query |= Q(communes=commune_code)
    if departement_id:
        query |= Q(departements=departement_id) & ~has_communes
    if not query:
        return Antenna.objects.none()
    return Antenna.objects.filter(query).values("pk")


def covering_advisors(request):
    """Active advisors of the antennas covering the request's place, whatever their themes.

    What a programme manager chooses from to send a request on by hand.
    """
    from tremplin.accounts.models import User

    if not (request.commune_code or request.departement_id):
        return User.objects.none()
    return User.objects.filter(
        role=Role.ADVISOR,
        is_active=True,
        advisor_profile__active=True,
        advisor_profile__antenna_id__in=covering_antennas(request.commune_code, request.departement_id),
    ).order_by("last_name", "first_name", "pk")


def _candidates_sql(commune_code, departement_id, exclude_count):
    """The one query behind `candidates`, written out: it runs on every request, and building it
    with the ORM (nested Exists, correlated count) cost ten times more than running it."""
    profile, antenna, user = (
        AdvisorProfile._meta,
        Antenna._meta,
        AdvisorProfile.user.field.related_model._meta,
    )
    specialty = AdvisorProfile.specialties.through._meta.db_table
    antenna_theme = Antenna.themes.through._meta.db_table
    antenna_commune = Antenna.communes.through._meta.db_table
    antenna_departement = Antenna.departements.through._meta.db_table
    covering, params = [], []
    if commune_code:
        covering.append(f"SELECT antenna_id FROM {antenna_commune} WHERE commune_id = %s")
        params.append(commune_code)
    if departement_id:
        covering.append(
            f"SELECT d.antenna_id FROM {antenna_departement} d WHERE d.departement_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {antenna_commune} c WHERE c.antenna_id = d.antenna_id)"
        )
        params.append(departement_id)
    excluded = f"AND p.user_id NOT IN ({', '.join(['%s'] * exclude_count)})" if exclude_count else ""
    open_states = ", ".join(["%s"] * len(OPEN_MATCH_STATES))
    sql = f"""
        SELECT p.user_id, a.organisation_id,
            (SELECT COUNT(*) FROM {Match._meta.db_table} m
             WHERE m.advisor_id = p.user_id AND m.state IN ({open_states})) AS caseload
        FROM {profile.db_table} p
        JOIN {antenna.db_table} a ON a.id = p.antenna_id
        JOIN {user.db_table} u ON u.id = p.user_id
        WHERE p.antenna_id IN ({" UNION ".join(covering)})
            AND p.active = %s AND u.is_active = %s AND u.role = %s
            AND (EXISTS (SELECT 1 FROM {specialty} s WHERE s.advisorprofile_id = p.id AND s.theme_id = %s)
                OR EXISTS (SELECT 1 FROM {antenna_theme} t WHERE t.antenna_id = p.antenna_id AND t.theme_id = %s))
            {excluded}
    """
    return sql, params


def candidates(request, *, on: date, exclude_advisors=()):
    """(advisor_id, organisation_id, open caseload) of active advisors covering the place and theme.

    One query for the advisors with their caseloads (a correlated count read from the (advisor,
    state) index alone), one for their organisations' filters.
    """
    if not (request.commune_code or request.departement_id):
        return []
    exclude_advisors = list(exclude_advisors)
    sql, covering_params = _candidates_sql(
        request.commune_code, request.departement_id, len(exclude_advisors)
    )
    params = [
        *OPEN_MATCH_STATES,
        *covering_params,
        True,
        True,
        Role.ADVISOR,
        request.theme_id,
        request.theme_id,
        *exclude_advisors,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    facts = CompanyFacts.of(request.company, on)
    refused = set()
    for organisation_id, kind, params in OrganisationFilter.objects.filter(
        organisation_id__in={org for _, org, _ in rows}
    ).values_list("organisation_id", "kind", "params"):
        if not passes(kind, params or {}, facts):
            refused.add(organisation_id)
    return [row for row in rows if row[1] not in refused]


def route(request, *, on: date, limit=MAX_ADVISORS, exclude_advisors=(), excluded_organisations=()):
    """The advisor ids a request should go to now (possibly none: national queue)."""
    rows = candidates(request, on=on, exclude_advisors=exclude_advisors)
    return pick(
        [(advisor, organisation) for advisor, organisation, _ in rows],
        {advisor: caseload for advisor, _, caseload in rows},
        limit=limit,
        excluded_organisations=excluded_organisations,
    )
