"""The pre-aggregated figures of the funnel, delays and network pages, and how they are rebuilt.

Counting live over a million files takes seconds; the pages read these tables instead (models.py: one
row per day, or per month, per département × NAF section × headcount bracket, and per advisor or
organisation where the page shows them). `refresh` rebuilds every table in one transaction, with
`INSERT … SELECT … GROUP BY` statements written through the ORM (the same SQL on SQLite and PostgreSQL,
no file ever loaded into Python): readers see the old figures or the new ones, never half of each. The
day rows come from the files; the month rows from the day rows. A period is read as its whole months
plus the days at its two ends (`span_q`), so any run of days gets the exact figure.

Anything that changes a file or a request writes an audit event; once it commits, `refresh.request_refresh`
queues one rebuild of every figure unless one is already queued (signals.py). Figures are therefore those
of the last rebuild ("Chiffres arrêtés le …", `refresh.last_refresh().flow_computed_at`), the "waiting"
ones included: they are counted at the rebuild's time.
"""

import time
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    PositiveIntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.db.models.lookups import In
from django.utils import timezone

from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.diagnostics.peers import SECTION_DIVISIONS
from tremplin.network.models import Match, MatchState, Request, RequestStatus
from tremplin.schemes.models import Scheme
from tremplin.steering import refresh as refreshes
from tremplin.steering.models import (
    DelayFact,
    FunnelFact,
    Grain,
    MatchFact,
    Measure,
    RequestFact,
    WaitingFact,
)
from tremplin.vouchers.models import BEFORE_DECISION, GRANTED, Application, State, states_tagged

GRANTED_STATES = [s.value for s in states_tagged(GRANTED)]
WAITING_STATES = [s.value for s in states_tagged(BEFORE_DECISION)]
TRANSMITTED_WITHIN = timedelta(hours=72)
TAKEN_WITHIN = timedelta(days=5)
# The order in which a request's status is decided from its matches (network.models.request_status).
STATUS_ORDER = [
    (MatchState.DONE, RequestStatus.DONE),
    (MatchState.TAKING_CARE, RequestStatus.TAKING_CARE),
    (MatchState.PENDING, RequestStatus.PENDING),
    (MatchState.NOT_REACHABLE, RequestStatus.NOT_REACHABLE),
    (MatchState.NO_HELP, RequestStatus.NO_HELP),
]
FACTS = [FunnelFact, DelayFact, WaitingFact, RequestFact, MatchFact]
# The roll-ups: the same rows summed over every value of some dimensions, which then read ANY. A page
# without a filter on a dimension, nor a split by it, reads them: a few rows per day instead of thousands.
# The département is summed over along with any set of the others, or kept with both others summed over
# (a territory's pages); a query that needs it with a section or a bracket reads the detailed rows.
DIMENSIONS = ["departement", "section", "bracket"]
ROLLUPS = [
    ("departement",),
    ("departement", "section"),
    ("departement", "bracket"),
    ("departement", "section", "bracket"),
    ("section", "bracket"),
]
ANY = "*"


class Tenths(Func):
    """`end - start` in tenths of a day, rounded half up from whole seconds, as `delays.in_days` shows it.

    Rounding keeps the order of durations, so the median of the rounded durations is the rounded median."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))

    def as_sql(self, compiler, connection, **extra):
        interval, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(FLOOR((FLOOR(EXTRACT(EPOCH FROM {interval})) + 4320) / 8640) AS integer)", params

    def as_sqlite(self, compiler, connection, **extra):
        # Django's SQLite difference of two datetimes is in microseconds (an integer).
        microseconds, params = compiler.compile(self.get_source_expressions()[0])
        return f"((({microseconds}) / 1000000 + 4320) / 8640)", params


def section_of(naf_field):
    """The NAF rev. 2 section of the code at `naf_field`, by its division; '' when not a NAF code."""
    division = Substr(naf_field, 1, 2)
    return Case(
        *[
            When(In(division, [f"{d:02d}" for d in range(low, high + 1)]), then=Value(code))
            for code, low, high in SECTION_DIVISIONS
        ],
        default=Value(""),
        output_field=CharField(),
    )


def dimensions(company, departement=None):
    """The dimension columns of a cell, for the company at `company` (a lookup prefix)."""
    return {
        "departement": F(departement or f"{company}departement"),
        "section": section_of(f"{company}naf_code"),
        "bracket": Coalesce(F(f"{company}headcount_bracket"), Value("")),
    }


def _insert(model, queryset, keys, counts, **constants):
    """INSERT INTO `model` the rows of `queryset` grouped by `keys`, with `counts` (aggregates)."""
    rows = (
        queryset.values(**{f"k_{name}": value for name, value in keys.items()})
        .annotate(**{f"k_{name}": value for name, value in counts.items()})
        .order_by()
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that keeps nothing (no scheme has a service level yet)
        return
    qn = connection.ops.quote_name
    names = [*constants, *keys, *counts]
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in names)
    selected = ", ".join(["%s"] * len(constants) + [qn(f"k_{name}") for name in [*keys, *counts]])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT {selected} FROM ({sql}) s",
            [*constants.values(), *params],
        )


def _days(model, queryset, when, keys, counts, **constants):
    _insert(model, queryset, {"day": TruncDate(when), **keys}, counts, grain=Grain.DAY.value, **constants)


def _months(model):
    """The month rows of `model`, summed from its day rows."""
    skip = {"id", "grain", "day"}
    fields = [f for f in model._meta.concrete_fields if f.name not in skip]
    keys = {f.name: F(f.attname) for f in fields if not isinstance(f, PositiveIntegerField)}
    counts = {f.name: Sum(f.attname) for f in fields if isinstance(f, PositiveIntegerField)}
    _insert(
        model,
        model.objects.filter(grain=Grain.DAY),
        {"day": TruncMonth("day"), **keys},
        counts,
        grain=Grain.MONTH.value,
    )


def _rollups(model):
    """Add the roll-up rows of `model` (every subset of DIMENSIONS set to ANY), from its detailed rows."""
    counters = [f for f in model._meta.concrete_fields if isinstance(f, PositiveIntegerField)]
    others = [
        f for f in model._meta.concrete_fields if f not in counters and f.name not in ("id", *DIMENSIONS)
    ]
    detailed = model.objects.all()
    for dimension in DIMENSIONS:
        detailed = detailed.exclude(**{model._meta.get_field(dimension).attname: ANY})
    for wild in ROLLUPS:
        keys = {f.name: F(f.attname) for f in others}
        keys.update({name: F(model._meta.get_field(name).attname) for name in DIMENSIONS if name not in wild})
        _insert(model, detailed, keys, {f.name: Sum(f.attname) for f in counters}, **dict.fromkeys(wild, ANY))


def _over(schemes, finished, started, days_of):
    """Files whose `finished` is more than their scheme's target after `started`."""
    q = Q(pk__in=[])
    for scheme in schemes:
        q |= Q(scheme_id=scheme.pk, **{f"{finished}__gt": F(started) + timedelta(days=days_of(scheme))})
    return q


def _waiting_over(schemes, started, days_of, now):
    q = Q(pk__in=[])
    for scheme in schemes:
        q |= Q(scheme_id=scheme.pk, **{f"{started}__lt": now - timedelta(days=days_of(scheme))})
    return q


def _funnel():
    files = Application.objects.all()
    _days(
        FunnelFact,
        files,
        "created_at",
        dimensions("company__"),
        {
            "applications": Count("pk"),
            "submitted": Count("pk", filter=Q(submitted_at__isnull=False)),
            "approved": Count("pk", filter=Q(state__in=GRANTED_STATES)),
            "claimed": Count("pk", filter=Q(claim__isnull=False)),
            "paid": Count("pk", filter=Q(payment_line__batch__paid_at__isnull=False)),
        },
    )
    diagnostics = Diagnostic.objects.filter(state=DiagnosticState.COMPLETED, completed_at__isnull=False)
    _days(FunnelFact, diagnostics, "completed_at", dimensions("company__"), {"diagnostics": Count("pk")})


def _delays(now):
    schemes = list(Scheme.objects.only("pk", "review_sla_days", "payment_target_days").order_by("pk"))

    def review(s):
        return s.review_sla_days

    def payment(s):
        return s.payment_target_days

    people = {"advisor": F("assigned_advisor"), "organisation": F("assigned_advisor__organisation")}
    keys = {**dimensions("company__"), **people}
    for measure, finished, started, late, base in (
        (
            Measure.DECISION,
            "decided_at",
            "submitted_at",
            _over(schemes, "decided_at", "submitted_at", review),
            Application.objects.filter(submitted_at__isnull=False, decided_at__isnull=False),
        ),
        (
            Measure.PAYMENT,
            "payment_line__batch__paid_at",
            "claim__submitted_at",
            _over(schemes, "payment_line__batch__paid_at", "claim__approved_at", payment),
            Application.objects.filter(payment_line__batch__paid_at__isnull=False, claim__isnull=False),
        ),
    ):
        _days(
            DelayFact,
            base,
            finished,
            {**keys, "tenths": Tenths(finished, started)},
            {"files": Count("pk"), "late": Count("pk", filter=late)},
            measure=measure.value,
        )
    waiting = Application.objects.filter(state__in=WAITING_STATES, submitted_at__isnull=False).filter(
        _waiting_over(schemes, "submitted_at", review, now)
    )
    unpaid = Application.objects.filter(state=State.CLAIM_APPROVED, claim__approved_at__isnull=False).filter(
        _waiting_over(schemes, "claim__approved_at", payment, now)
    )
    for measure, files in ((Measure.DECISION, waiting), (Measure.PAYMENT, unpaid)):
        _insert(WaitingFact, files, keys, {"files": Count("pk")}, measure=measure.value)


def _after(lookup, delay):
    return ExpressionWrapper(OuterRef(lookup) + delay, output_field=DateTimeField())


def _network():
    transmitted = Exists(
        Match.objects.filter(request=OuterRef("pk"), created_at__lte=_after("created_at", TRANSMITTED_WITHIN))
    )
    taken = Exists(
        Match.objects.filter(request=OuterRef("pk"), taken_care_at__lte=_after("created_at", TAKEN_WITHIN))
    )
    status = Case(
        When(archived_at__isnull=False, then=Value(RequestStatus.ARCHIVED.value)),
        *[
            When(Exists(Match.objects.filter(request=OuterRef("pk"), state=state)), then=Value(outcome.value))
            for state, outcome in STATUS_ORDER
        ],
        default=Value(RequestStatus.NATIONAL_QUEUE.value),
        output_field=CharField(),
    )
    requests = Request.objects.annotate(transmitted=transmitted, taken=taken, status=status)
    _days(
        RequestFact,
        requests,
        "created_at",
        dimensions("company__", departement="departement"),
        {
            "requests": Count("pk"),
            "transmitted": Count("pk", filter=Q(transmitted=True)),
            "taken": Count("pk", filter=Q(taken=True)),
            **{s.value: Count("pk", filter=Q(status=s.value)) for _state, s in STATUS_ORDER},
            "national_queue": Count("pk", filter=Q(status=RequestStatus.NATIONAL_QUEUE.value)),
            "archived": Count("pk", filter=Q(status=RequestStatus.ARCHIVED.value)),
        },
    )
    _days(
        MatchFact,
        Match.objects.all(),
        "request__created_at",
        {
            **dimensions("request__company__", departement="request__departement"),
            "organisation": F("advisor__organisation"),
            "antenna": F("advisor__advisor_profile__antenna"),
        },
        {
            "matches": Count("pk"),
            "transmitted": Count(
                "pk", filter=Q(created_at__lte=F("request__created_at") + TRANSMITTED_WITHIN)
            ),
            "taken": Count("pk", filter=Q(taken_care_at__lte=F("created_at") + TAKEN_WITHIN)),
            "done": Count("pk", filter=Q(state=MatchState.DONE)),
            "no_help": Count("pk", filter=Q(state=MatchState.NO_HELP)),
            "not_reachable": Count("pk", filter=Q(state=MatchState.NOT_REACHABLE)),
            "declined": Count("pk", filter=Q(state=MatchState.NOT_FOR_ME)),
            "open": Count("pk", filter=Q(state__in=[MatchState.PENDING, MatchState.TAKING_CARE])),
        },
    )


def refresh(now=None):
    """Rebuild every table from the files, requests and diagnostics, in one transaction; returns the
    record (`refresh.last_refresh`). `now` is the instant the "still waiting" figures are counted at."""
    now = now or timezone.now()
    started = time.monotonic()
    with refreshes.one_at_a_time(), transaction.atomic():
        for model in FACTS:
            model.objects.all()._raw_delete(connection.alias)
        _funnel()
        _delays(now)
        _network()
        for model in FACTS:
            _rollups(model)
        for model in (FunnelFact, DelayFact, RequestFact, MatchFact):
            _months(model)
        return refreshes.record(
            flow_computed_at=now, flow_duration_ms=int((time.monotonic() - started) * 1000)
        )


def next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def span_q(period):
    """The cells that add up to `period` exactly: its whole months, and the days at its two ends."""
    start, after = period.start, period.end + timedelta(days=1)
    first = start if start.day == 1 else next_month(start)
    last = date(after.year, after.month, 1)  # months in [first, last) are whole
    if first >= last:
        return Q(grain=Grain.DAY, day__gte=start, day__lt=after)
    q = Q(grain=Grain.MONTH, day__gte=first, day__lt=last)
    if start < first:
        q |= Q(grain=Grain.DAY, day__gte=start, day__lt=first)
    if last < after:
        q |= Q(grain=Grain.DAY, day__gte=last, day__lt=after)
    return q


def cells(model, scope, form, by=()):
    """The rows of `model` within the scope and the form's filters (any period), to be grouped by the
    dimensions `by`: the roll-up that sums over every other dimension when there is one, else the detailed
    rows."""
    data = form.cleaned_data
    real = {
        "departement": not scope.national or bool(data.get("region") or data.get("departement")),
        "section": bool(data.get("section")),
        "bracket": bool(data.get("bracket")),
    }
    needed = {dimension for dimension in DIMENSIONS if real[dimension] or dimension in by}
    wild = next((w for w in ROLLUPS if not needed & set(w) and len(w) == len(DIMENSIONS) - len(needed)), ())
    rows = model.objects.filter(form.dimensions_q())
    for dimension in DIMENSIONS:
        column = f"{dimension}_id" if dimension == "departement" else dimension
        if dimension in wild:
            rows = rows.filter(**{column: ANY})
        elif dimension == "departement" and scope.national:
            # ANY sorts before every code: a range the index reads, unknown départements kept.
            rows = rows.filter(Q(departement_id__gt=ANY) | Q(departement_id__isnull=True))
        elif dimension != "departement":  # a territory's codes leave ANY out already
            rows = rows.exclude(**{column: ANY})
    return scope.filter(rows, field="departement")
