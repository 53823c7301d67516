"""Reach: beneficiaries and companies reached per 1,000 eligible companies, per département.

"Eligible" is the registry's population under the scheme's registry-checkable rules (those
`eligibility.answered_by_registry` says the registry alone answers), translated here into one SQL
condition over `registry.Company`, so the count is one query grouped by département and no company is
ever loaded into Python. A rule the registry cannot tell (unknown headcount bracket, unknown creation
date, unknown head office) counts the company out, as the quick check would not say "eligible" either.

- eligible: active companies (when the scheme asks it) passing every registry rule, on the day of the
  page;
- beneficiaries: companies granted a voucher of the scheme (a state tagged "granted"), by the
  département of their head office, whether or not the registry still finds them eligible;
- reached: eligible companies with at least one contact: an action of the advisor log (awareness
  sessions and coaching included), a file submitted under any scheme or a completed diagnostic.

Rates are per 1,000 eligible companies, rounded half up to one decimal (Decimal, no float).

The page reads the counts the last refresh stored (`steering.stock_facts`: `counts_by_departement` is what it
stores, per scheme under its rules version), with eligibility judged on the refresh's day; `live_reach`
counts from the registry and the files themselves (same figures, seconds over millions of companies).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.network.models import Action, CoachingSession
from tremplin.registry.headcount import HEADCOUNT_BRACKETS
from tremplin.registry.models import Company, Departement
from tremplin.schemes.eligibility import _months_before, answered_by_registry, condition, parameters
from tremplin.steering.models import ReachCount, ReachSnapshot
from tremplin.steering.refresh import last_refresh
from tremplin.vouchers.models import GRANTED, Application, State, states_tagged

PER = 1000
CLASSES = 5
# DSFR blue-france tones, light to dark: one hue, so the classes read by lightness alone (colour-blind
# safe); each with the text colour that keeps a contrast of at least 4.5:1 on it.
PALETTE = [
    ("#ececfe", "#161616"),
    ("#adadf9", "#161616"),
    ("#8585f6", "#161616"),
    ("#5e5e90", "#ffffff"),
    ("#000091", "#ffffff"),
]
NO_DATA = ("#ffffff", "#3a3a3a")
MEASURES = ("beneficiaries", "reached")


def _active(params, on):
    return Q(state=Company.State.ACTIVE)


def _max_bracket(params, on):
    limit = params["max"]
    if limit not in HEADCOUNT_BRACKETS:
        return Q(pk__in=[])
    allowed = HEADCOUNT_BRACKETS[: HEADCOUNT_BRACKETS.index(limit) + 1]
    # A blank bracket reads as "NN" (no employee), the first bracket, always allowed.
    return Q(headcount_bracket__in=[*allowed, ""])


def _min_age(params, on):
    return Q(created_on__lte=_months_before(on, params["months"]))


def _none_starting(field, prefixes):
    condition = Q()
    for prefix in prefixes:
        condition &= ~Q(**{f"{field}__startswith": prefix})
    return condition


def _legal_forms(params, on):
    return _none_starting("legal_form", params["prefixes"])


def _naf(params, on):
    return _none_starting("naf_code", params["codes"])


def _territories(params, on):
    if not params["regions"]:
        return Q()
    return Q(departement__in=Departement.objects.filter(region__in=params["regions"]).values("code"))


# Each registry-checkable rule of schemes.eligibility as a condition on a Company, with the same
# parameters and the same answer (tests compare both on every fixture company).
CONDITIONS = {
    "active_in_registry": _active,
    "max_headcount_bracket": _max_bracket,
    "min_company_age": _min_age,
    "excluded_legal_forms": _legal_forms,
    "excluded_naf": _naf,
    "territories": _territories,
}


def eligible_condition(rules, on):
    """The registry rules among `rules` as one Q over Company (a known head office always required)."""
    condition = Q(departement__isnull=False)
    for rule in rules:
        if answered_by_registry(rule):
            condition &= CONDITIONS[rule.kind](parameters(rule.kind, rule.params), on)
    return condition


def eligible_companies(rules, on):
    return Company.objects.filter(eligible_condition(rules, on))


def contacted_company_ids():
    """Subqueries of the companies that had a contact with the programme, of any kind."""
    return [
        Action.objects.order_by().values("company_id"),
        CoachingSession.objects.order_by().values("company_id"),
        Application.objects.exclude(state=State.DRAFT).order_by().values("company_id"),
        Diagnostic.objects.filter(state=DiagnosticState.COMPLETED).order_by().values("company_id"),
    ]


def rate(count, eligible):
    """`count` per 1,000 `eligible`, half up to one decimal; None when nobody is eligible."""
    if not eligible:
        return None
    return (Decimal(count * PER) / Decimal(eligible)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    region: str
    eligible: int
    beneficiaries: int
    reached: int

    @property
    def beneficiaries_rate(self):
        return rate(self.beneficiaries, self.eligible)

    @property
    def reached_rate(self):
        return rate(self.reached, self.eligible)

    def rate_of(self, measure):
        return self.beneficiaries_rate if measure == "beneficiaries" else self.reached_rate


@dataclass(frozen=True)
class Reach:
    rows: list  # one Row per département of the scope, in code order
    total: Row  # the scope as a whole
    conditions: list  # the registry rules counted, as the scheme states them
    computed_at: object  # when the counts were made


Measure = ReachCount.Measure
COUNT_ALIASES = {"departement_code": "r_departement", "companies": "r_companies"}


def counts_by_departement(scheme, on):
    """{measure: queryset of (r_departement, r_companies)}: the companies eligible to `scheme` on `on`,
    reached among them, and its beneficiaries, per département of the nation; set-based, no company is
    loaded (the refresh inserts them with `INSERT … SELECT`)."""
    rules = list(scheme.current_rules())
    eligible = eligible_companies(rules, on)
    first, *others = contacted_company_ids()
    # One semi-join on the union of the contacts (an IN list per source would be probed row by row).
    reached = eligible.filter(pk__in=first.union(*others))
    beneficiaries = Application.objects.filter(
        scheme=scheme, state__in=states_tagged(GRANTED), company__departement__isnull=False
    )
    return {
        Measure.ELIGIBLE: eligible.values(r_departement=F("departement_id")).annotate(
            r_companies=Count("pk")
        ),
        Measure.REACHED: reached.values(r_departement=F("departement_id")).annotate(r_companies=Count("pk")),
        Measure.BENEFICIARIES: beneficiaries.values(r_departement=F("company__departement_id")).annotate(
            r_companies=Count("company_id", distinct=True)
        ),
    }


def _reach(rules, scope, counts, computed_at):
    """The Reach of `counts` ({measure: {département: companies}}) over the scope's départements."""
    departements = scope.filter(Departement.objects.select_related("region"), field="code")
    rows = [
        Row(
            code=dep.code,
            name=dep.name,
            region=dep.region.name,
            eligible=counts[Measure.ELIGIBLE].get(dep.code, 0),
            beneficiaries=counts[Measure.BENEFICIARIES].get(dep.code, 0),
            reached=counts[Measure.REACHED].get(dep.code, 0),
        )
        for dep in departements.order_by("code")
    ]
    total = Row(
        code="",
        name=scope.label,
        region="",
        eligible=sum(r.eligible for r in rows),
        beneficiaries=sum(r.beneficiaries for r in rows),
        reached=sum(r.reached for r in rows),
    )
    conditions = [condition(rule, rules) for rule in rules if answered_by_registry(rule)]
    return Reach(rows=rows, total=total, conditions=[c for c in conditions if c], computed_at=computed_at)


def live_reach(scheme, scope, on=None):
    """The reach of `scheme` in `scope`, per département, counted now: five queries, over the registry."""
    on = on or timezone.localdate()
    counts = {
        measure: dict(
            scope.filter(queryset, field="r_departement").values_list("r_departement", "r_companies")
        )
        for measure, queryset in counts_by_departement(scheme, on).items()
    }
    return _reach(list(scheme.current_rules()), scope, counts, timezone.now())


def reach(scheme, scope, refreshed=None):
    """The reach of `scheme` in `scope` as the last refresh counted it under the scheme's current rules
    (`refreshed`: the record of `refresh.last_refresh`); None when it was never counted (a new scheme, new
    rules)."""
    snapshot = ReachSnapshot.objects.filter(scheme=scheme, rules_version=scheme.rules_version).first()
    if snapshot is None:
        return None
    counts = {measure: {} for measure in Measure.values}
    stored = scope.filter(snapshot.counts.all(), field="departement_code")
    for code, measure, companies in stored.values_list("departement_code", "measure", "companies"):
        counts[measure][code] = companies
    if refreshed is None:
        refreshed = last_refresh()
    computed_at = refreshed.stock_computed_at
    return _reach(list(scheme.current_rules()), scope, counts, computed_at)


def class_bounds(rows, measure):
    """CLASSES equal intervals from 0 to the highest rate: [(low, high), ...] (None: no rate at all)."""
    rates = [r.rate_of(measure) for r in rows if r.rate_of(measure) is not None]
    if not rates:
        return None
    top = max(rates)
    step = top / CLASSES
    return [
        ((step * i).quantize(Decimal("0.1")), (step * (i + 1)).quantize(Decimal("0.1")))
        for i in range(CLASSES)
    ]


def class_of(value, bounds):
    """The class (0 to CLASSES - 1) of a rate; the highest rate falls in the last class."""
    top = bounds[-1][1]
    if not top:
        return 0
    return min(CLASSES - 1, int(value * CLASSES / top))


def highest_and_lowest(rows, measure):
    """The départements of highest and lowest rate (ties: the first by code), or (None, None)."""
    rated = [r for r in rows if r.rate_of(measure) is not None]
    if not rated:
        return None, None
    return max(rated, key=lambda r: r.rate_of(measure)), min(rated, key=lambda r: r.rate_of(measure))
