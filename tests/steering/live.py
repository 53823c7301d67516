"""The live computation of the funnel, delays and network figures, straight from the files, requests and
diagnostics: what the pages showed before they read the pre-aggregated tables (steering.facts), kept as
the reference the aggregated figures must equal (test_facts.py).
"""

from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.diagnostics.peers import SECTION_DIVISIONS
from tremplin.network.models import Match, MatchState, Request, RequestStatus
from tremplin.registry.models import NafSection
from tremplin.schemes.models import Scheme
from tremplin.steering.delays import Delay, Delays, Measure, median_rank, p90_rank
from tremplin.steering.facts import (
    GRANTED_STATES,
    STATUS_ORDER,
    TAKEN_WITHIN,
    TRANSMITTED_WITHIN,
    WAITING_STATES,
    _over,
    _waiting_over,
)
from tremplin.steering.funnel import SPLITS, STAGES, Funnel, Stage, ordered, row_for
from tremplin.steering.network import OUTCOMES, Holder, NetworkFigures, Totals
from tremplin.steering.period import percent
from tremplin.vouchers.models import Application, State

FILE_STAGES = [key for key, _label in STAGES if key != "diagnostics"]


def section_of_division(division):
    """'62' -> 'J', '' when not a NAF division."""
    if not (division or "").isdigit():
        return ""
    number = int(division)
    return next((code for code, low, high in SECTION_DIVISIONS if low <= number <= high), "")


def section_q(field, section):
    """The NAF rev. 2 codes of `section`, by their division (the two first digits)."""
    low, high = next((lo, hi) for code, lo, hi in SECTION_DIVISIONS if code == section)
    q = Q()
    for division in range(low, high + 1):
        q |= Q(**{f"{field}__startswith": f"{division:02d}"})
    return q


def company_q(form, prefix="company__", territory=None):
    """The region, département, section and bracket filters on the company at `prefix`; `territory`
    leads to the département when it is not the company's (a request's own département)."""
    data = form.cleaned_data
    territory = territory or f"{prefix}departement"
    q = Q()
    if data.get("region"):
        q &= Q(**{f"{territory}__region_id": data["region"]})
    if data.get("departement"):
        q &= Q(**{f"{territory}_id": data["departement"]})
    if data.get("section"):
        q &= section_q(f"{prefix}naf_code", data["section"])
    if data.get("bracket"):
        q &= Q(**{f"{prefix}headcount_bracket": data["bracket"]})
    return q


def _reached(within):
    """The file stages' counts among the files opened `within` (a Q on the file)."""
    return {
        "applications": Count("pk", filter=within),
        "submitted": Count("pk", filter=within & Q(submitted_at__isnull=False)),
        "approved": Count("pk", filter=within & Q(state__in=GRANTED_STATES)),
        "claimed": Count("pk", filter=within & Q(claim__isnull=False)),
        "paid": Count("pk", filter=within & Q(payment_line__batch__paid_at__isnull=False)),
    }


def _files(scope, form):
    return scope.filter(
        Application.objects.filter(
            company_q(
                form,
            )
        )
    )


def _diagnostics(scope, form):
    return scope.filter(
        Diagnostic.objects.filter(
            company_q(
                form,
            ),
            state=DiagnosticState.COMPLETED,
        )
    )


def _group_by(key, when):
    """(the GROUP BY expressions, named) for split `key`; `when` is the date the month split uses."""
    if key == "region":
        return {"g": F("company__departement__region_id"), "name": F("company__departement__region__name")}
    if key == "departement":
        return {"g": F("company__departement_id"), "name": F("company__departement__name")}
    if key == "section":
        return {"g": Substr("company__naf_code", 1, 2)}
    if key == "bracket":
        return {"g": F("company__headcount_bracket")}
    return {"g": TruncMonth(when)}


def _month_start(value):
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return value


def _split(scope, form, key, sections):
    period = form.period
    rows = {}

    def row(value, name):
        if key == "section":
            value = section_of_division(value)
        return row_for(rows, key, value, name, sections)

    files = (
        _files(scope, form)
        .filter(period.within("created_at"))
        .values(**_group_by(key, "created_at"))
        .annotate(**_reached(Q()))
        .order_by()
    )
    for line in files:
        found = row(line["g"], line.get("name"))
        for stage in FILE_STAGES:
            found.counts[stage] = found.counts.get(stage, 0) + line[stage]
    diagnostics = (
        _diagnostics(scope, form)
        .filter(period.within("completed_at"))
        .values(**_group_by(key, "completed_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for line in diagnostics:
        found = row(line["g"], line.get("name"))
        found.counts["diagnostics"] = found.counts.get("diagnostics", 0) + line["n"]
    return ordered(rows, key, period)


def live_funnel(scope, form):
    """The funnel of the period `form` chose (a valid FiltersForm), with the previous period, in scope."""
    period, previous = form.period, form.period.previous()
    both = Q(created_at__gte=previous.since, created_at__lt=period.until)
    now_counts = _reached(period.within("created_at"))
    before = _reached(previous.within("created_at"))
    totals = (
        _files(scope, form)
        .filter(both)
        .aggregate(**now_counts, **{f"prev_{k}": v for k, v in before.items()})
    )
    diagnostics = (
        _diagnostics(scope, form)
        .filter(completed_at__gte=previous.since, completed_at__lt=period.until)
        .aggregate(
            diagnostics=Count("pk", filter=period.within("completed_at")),
            prev_diagnostics=Count("pk", filter=previous.within("completed_at")),
        )
    )
    totals.update(diagnostics)
    stages, before_count = [], None
    for key, label in STAGES:
        stage = Stage(key, label, totals[key], totals[f"prev_{key}"])
        if before_count is not None and key != "applications":
            stage.rate = percent(stage.count, before_count)
        stages.append(stage)
        before_count = stage.count
    sections = dict(NafSection.objects.values_list("code", "label"))
    splits = [(key, title, _split(scope, form, key, sections)) for key, title in SPLITS]
    return Funnel(period, previous, stages, splits, timezone.now())


def percentiles(queryset, duration, group=None):
    """{group value (None without `group`): (n, median, p90)} of `duration` over `queryset`, nearest-rank."""
    partition = [F(group)] if group else None
    ranked = (
        queryset.annotate(d=ExpressionWrapper(duration, output_field=DurationField()))
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[F("d").asc(), F("pk").asc()]),
            n=Window(Count("pk"), partition_by=partition),
        )
        .filter(Q(rank=(F("n") + 1) / 2) | Q(rank=(9 * F("n") + 9) / 10))
        .order_by()
    )
    out = {}
    for key, n, rank, value in ranked.values_list(group or "pk", "n", "rank", "d"):
        key = key if group else None
        n_, median, p90 = out.get(key, (n, None, None))
        if rank == median_rank(n):
            median = value
        if rank == p90_rank(n):
            p90 = value
        out[key] = (n, median, p90)
    return out


def _advisor_name(first, last, email):
    # Fixed here as on the page: the files of no advisor were labelled "None None".
    return f"{first or ''} {last or ''}".strip() or email


def _measure(spec, base, period, previous, late_q, waiting):
    """The overall, previous, per-organisation and per-advisor measures of one delay."""
    done = base.filter(period.within(spec["finished"]))
    duration = F(spec["finished"]) - F(spec["started"])
    overall = Measure(_("Ensemble"))
    overall.count, overall.median, overall.p90 = percentiles(done, duration).get(None, (0, None, None))
    overall.late = done.filter(late_q).count()
    overall.waiting_late = waiting.count()
    before = Measure(_("Période précédente"))
    before.count, before.median, before.p90 = percentiles(
        base.filter(previous.within(spec["finished"])), duration
    ).get(None, (0, None, None))
    groups = {}
    for key, lookups, name in (
        (
            "organisations",
            ["assigned_advisor__organisation_id", "assigned_advisor__organisation__name"],
            None,
        ),
        (
            "advisors",
            [
                "assigned_advisor_id",
                "assigned_advisor__first_name",
                "assigned_advisor__last_name",
                "assigned_advisor__email",
            ],
            _advisor_name,
        ),
    ):
        counts = {}
        for row in done.values(*lookups).annotate(n=Count("pk"), late=Count("pk", filter=late_q)).order_by():
            label = name(*[row[k] for k in lookups[1:]]) if name else row[lookups[1]]
            counts[row[lookups[0]]] = Measure(label or _("Non attribué"), row["n"], late=row["late"])
        for row in waiting.values(lookups[0]).annotate(n=Count("pk")).order_by():
            measure = counts.get(row[lookups[0]])
            if measure is None:
                measure = counts[row[lookups[0]]] = Measure(_("Non attribué"))
            measure.waiting_late = row["n"]
        for group, (_n, median, p90) in percentiles(done, duration, lookups[0]).items():
            counts[group].median, counts[group].p90 = median, p90
        groups[key] = sorted(counts.values(), key=lambda m: (str(m.label) == str(_("Non attribué")), m.label))
    return overall, before, groups


def live_delays(scope, form, now=None):
    """Time to decision and to payment for the period `form` chose (a valid FiltersForm), in scope."""
    now = now or timezone.now()
    period, previous = form.period, form.period.previous()
    schemes = list(Scheme.objects.only("pk", "name", "review_sla_days", "payment_target_days").order_by("pk"))
    files = scope.filter(
        Application.objects.filter(
            company_q(
                form,
            )
        )
    )

    def review(s):
        return s.review_sla_days

    def payment(s):
        return s.payment_target_days

    decision_spec = {"finished": "decided_at", "started": "submitted_at"}
    decided = files.filter(submitted_at__isnull=False, decided_at__isnull=False)
    waiting = files.filter(state__in=WAITING_STATES, submitted_at__isnull=False).filter(
        _waiting_over(schemes, "submitted_at", review, now)
    )
    overall, before, groups = _measure(
        decision_spec,
        decided,
        period,
        previous,
        _over(schemes, "decided_at", "submitted_at", review),
        waiting,
    )
    decision = Delay("decision", _("Délai de décision"), overall, before, **groups)

    payment_spec = {"finished": "payment_line__batch__paid_at", "started": "claim__submitted_at"}
    paid = files.filter(payment_line__batch__paid_at__isnull=False, claim__isnull=False)
    unpaid = files.filter(state=State.CLAIM_APPROVED, claim__approved_at__isnull=False).filter(
        _waiting_over(schemes, "claim__approved_at", payment, now)
    )
    overall, before, groups = _measure(
        payment_spec,
        paid,
        period,
        previous,
        _over(schemes, "payment_line__batch__paid_at", "claim__approved_at", payment),
        unpaid,
    )
    payment_delay = Delay("payment", _("Délai de paiement"), overall, before, **groups)
    targets = [(s.name, s.review_sla_days, s.payment_target_days) for s in schemes]
    return Delays(period, previous, decision, payment_delay, targets, now)


def _after(lookup, delay):
    return ExpressionWrapper(OuterRef(lookup) + delay, output_field=DateTimeField())


def _requests(scope, form):
    return scope.filter(Request.objects.filter(company_q(form, territory="departement")), field="departement")


def live_network(scope, form):
    """The network's figures for the period `form` chose (a valid FiltersForm), in scope."""
    period, previous = form.period, form.period.previous()
    requests = _requests(scope, form).annotate(
        transmitted=Exists(
            Match.objects.filter(
                request=OuterRef("pk"), created_at__lte=_after("created_at", TRANSMITTED_WITHIN)
            )
        ),
        taken=Exists(
            Match.objects.filter(
                request=OuterRef("pk"), taken_care_at__lte=_after("created_at", TAKEN_WITHIN)
            )
        ),
    )
    counts = {}
    for name, within in (("now", period.within("created_at")), ("before", previous.within("created_at"))):
        counts[f"{name}_requests"] = Count("pk", filter=within)
        counts[f"{name}_transmitted"] = Count("pk", filter=within & Q(transmitted=True))
        counts[f"{name}_taken"] = Count("pk", filter=within & Q(taken=True))
    totals = requests.filter(created_at__gte=previous.since, created_at__lt=period.until).aggregate(**counts)
    current = Totals(totals["now_requests"], totals["now_transmitted"], totals["now_taken"])
    before = Totals(totals["before_requests"], totals["before_transmitted"], totals["before_taken"])

    status = Case(
        When(archived_at__isnull=False, then=Value(RequestStatus.ARCHIVED.value)),
        *[
            When(
                Exists(Match.objects.filter(request=OuterRef("pk"), state=state)),
                then=Value(outcome.value),
            )
            for state, outcome in STATUS_ORDER
        ],
        default=Value(RequestStatus.NATIONAL_QUEUE.value),
        output_field=CharField(),
    )
    by_status = dict(
        _requests(scope, form)
        .filter(period.within("created_at"))
        .annotate(status=status)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    outcomes = [
        (s.value, s.label, by_status.get(s.value, 0), percent(by_status.get(s.value, 0), current.requests))
        for s in OUTCOMES
    ]

    matches = scope.filter(
        Match.objects.filter(company_q(form, prefix="request__company__", territory="request__departement")),
        field="request__departement",
    ).filter(period.within("request__created_at"))
    holder_counts = {
        "matches": Count("pk"),
        "transmitted": Count("pk", filter=Q(created_at__lte=F("request__created_at") + TRANSMITTED_WITHIN)),
        "taken": Count("pk", filter=Q(taken_care_at__lte=F("created_at") + TAKEN_WITHIN)),
        "done": Count("pk", filter=Q(state=MatchState.DONE)),
        "no_help": Count("pk", filter=Q(state=MatchState.NO_HELP)),
        "not_reachable": Count("pk", filter=Q(state=MatchState.NOT_REACHABLE)),
        "declined": Count("pk", filter=Q(state=MatchState.NOT_FOR_ME)),
        "open": Count("pk", filter=Q(state__in=[MatchState.PENDING, MatchState.TAKING_CARE])),
    }

    def holders(group, label_field, organisation_field=None):
        fields = [group, label_field] + ([organisation_field] if organisation_field else [])
        rows = matches.values(*fields).annotate(**holder_counts).order_by()
        found = [
            Holder(
                row[label_field] or _("Sans antenne"),
                (row[organisation_field] or "") if organisation_field else "",
                **{k: row[k] for k in holder_counts},
            )
            for row in rows
        ]
        return sorted(found, key=lambda h: (h.organisation, str(h.label)))

    organisations = holders("advisor__organisation_id", "advisor__organisation__name")
    antennas = holders(
        "advisor__advisor_profile__antenna_id",
        "advisor__advisor_profile__antenna__name",
        "advisor__advisor_profile__antenna__organisation__name",
    )
    return NetworkFigures(
        period, previous, current, before, outcomes, organisations, antennas, timezone.now()
    )
