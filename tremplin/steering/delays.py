"""Delays: time to decision and time to payment, their median and 90th percentile, and the files over the
scheme's service level, for the period, per organisation and per advisor (the file's assigned advisor).

- Time to decision: from submission (`submitted_at`) to the decision (`decided_at`, granted or refused),
  for the files decided in the period. Service level: the scheme's `review_sla_days`; a file is over it
  when decided more than that many days (× 24 h) after submission, or still waiting for a decision past it.
- Time to payment: from the payment claim (`Claim.submitted_at`) to the transfer (its batch's `paid_at`),
  for the files paid in the period. Service level: the scheme's `payment_target_days`, counted from the
  claim's approval (`Claim.approved_at`), as the company is told; over it when paid later, or still
  unpaid past it.

Percentiles are nearest-rank: of n durations sorted ascending, the p-th percentile is the one of rank
⌈p × n⌉ (the median is the ⌈n/2⌉-th, the lower middle value when n is even; the 90th percentile the
⌈0.9 n⌉-th). The database ranks the durations with window functions (ROW_NUMBER and COUNT over each
group) and returns only the two ranked rows per group: the same SQL on PostgreSQL and SQLite, one query per
grouping, never the durations themselves.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tremplin.schemes.models import Scheme
from tremplin.steering.charts import bar_chart
from tremplin.vouchers.models import BEFORE_DECISION, Application, State, states_tagged

WAITING_STATES = [s.value for s in states_tagged(BEFORE_DECISION)]
DAY_SECONDS = 86_400


def in_days(duration):
    """A duration in days, one decimal, rounded half up (no float)."""
    if duration is None:
        return None
    seconds = duration.days * DAY_SECONDS + duration.seconds
    return (Decimal(seconds) / DAY_SECONDS).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median_rank(n):
    return (n + 1) // 2


def p90_rank(n):
    return (9 * n + 9) // 10


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


@dataclass
class Measure:
    """One delay over one group of files: how many, median, p90 (timedeltas), over the service level."""

    label: str
    count: int = 0
    median: object = None
    p90: object = None
    late: int = 0  # finished over the service level
    waiting_late: int = 0  # not finished yet, already over it

    @property
    def median_days(self):
        return in_days(self.median)

    @property
    def p90_days(self):
        return in_days(self.p90)


@dataclass
class Delay:
    key: str
    title: str
    overall: Measure
    previous: Measure
    organisations: list = field(default_factory=list)
    advisors: list = field(default_factory=list)

    def chart(self):
        """Median and 90th percentile, in tenths of a day so that bars stay integers."""
        rows = [
            (
                label,
                [
                    None if m.median is None else int(m.median_days * 10),
                    None if m.p90 is None else int(m.p90_days * 10),
                ],
            )
            for label, m in ((_("Période choisie"), self.overall), (_("Période précédente"), self.previous))
        ]
        return bar_chart(
            _("%(delay)s en jours : médiane et 90e centile") % {"delay": self.title},
            rows,
            [_("Médiane"), _("90e centile")],
            shown=lambda tenths: f"{number_format(Decimal(tenths) / 10, 1)} j",
        )


@dataclass
class Delays:
    period: object
    previous: object
    decision: Delay
    payment: Delay
    targets: list  # (scheme name, review days, payment days)
    computed_at: object

    @property
    def delays(self):
        return [self.decision, self.payment]


def _over(schemes, finished, started, days_of):
    """Files whose `finished` is more than the scheme's target after `started`, each scheme its own."""
    q = Q(pk__in=[])
    for scheme in schemes:
        q |= Q(scheme_id=scheme.pk, **{f"{finished}__gt": F(started) + timedelta(days=days_of(scheme))})
    return q


def _waiting_over(schemes, started, days_of, now):
    q = Q(pk__in=[])
    for scheme in schemes:
        q |= Q(scheme_id=scheme.pk, **{f"{started}__lt": now - timedelta(days=days_of(scheme))})
    return q


def _advisor_name(first, last, email):
    return f"{first} {last}".strip() or email


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


def delays(scope, form, now=None):
    """Time to decision and to payment for the period `form` chose (a valid FiltersForm), in scope."""
    now = now or timezone.now()
    period, previous = form.period, form.period.previous()
    schemes = list(Scheme.objects.only("pk", "name", "review_sla_days", "payment_target_days").order_by("pk"))
    files = scope.filter(Application.objects.filter(form.company_q()))

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
