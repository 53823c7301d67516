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
⌈0.9 n⌉-th). They are read from histograms (steering.facts.DelayFact: how many files per duration, in
tenths of a day as the page shows them), so they are exact to the tenth of a day over any filter; the
files still waiting are counted when the figures were computed.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import User
from tremplin.network.models import Organisation
from tremplin.schemes.models import Scheme
from tremplin.steering import facts, tables
from tremplin.steering.charts import bar_chart
from tremplin.steering.facts import span_q
from tremplin.steering.models import DelayFact, WaitingFact
from tremplin.steering.models import Measure as Kind

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


def tenths_of_day(tenths):
    return timedelta(seconds=tenths * DAY_SECONDS // 10)


def nearest_rank(histogram):
    """(n, median, p90) of a histogram {tenths of a day: files}, nearest-rank; (0, None, None) if empty."""
    n = sum(histogram.values())
    if not n:
        return 0, None, None
    wanted, found, seen = {"median": median_rank(n), "p90": p90_rank(n)}, {}, 0
    for tenths in sorted(histogram):
        seen += histogram[tenths]
        for name, rank in wanted.items():
            if name not in found and seen >= rank:
                found[name] = tenths_of_day(tenths)
    return n, found["median"], found["p90"]


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

    def sections(self):
        """Each delay with its tables: the period against the previous one, per organisation, per advisor."""

        def days(period):
            return {"start": date_format(period.start, "j F Y"), "end": date_format(period.end, "j F Y")}

        def groups_table(d, key, by, who, measures):
            return tables.Table(
                f"{d.title} – {by}",
                [
                    who,
                    _("Dossiers"),
                    _("Médiane (jours)"),
                    _("90e centile (jours)"),
                    _("Hors délai"),
                    _("En attente, déjà hors délai"),
                ],
                [
                    tables.Row(
                        [
                            m.count,
                            tables.or_dash(m.median_days),
                            tables.or_dash(m.p90_days),
                            m.late,
                            m.waiting_late,
                        ],
                        header=m.label,
                    )
                    for m in measures
                ],
                id=f"{d.key}-{key}",
                empty=_("Aucun dossier sur la période."),
            )

        return [
            (
                d,
                tables.Table(
                    _("%(what)s : période choisie et période précédente") % {"what": d.title},
                    [_("Période"), _("Dossiers"), _("Médiane (jours)"), _("90e centile (jours)")],
                    [
                        tables.Row(
                            [m.count, tables.or_dash(m.median_days), tables.or_dash(m.p90_days)],
                            header=_("Du %(start)s au %(end)s") % days(period),
                        )
                        for m, period in ((d.overall, self.period), (d.previous, self.previous))
                    ],
                    id=f"{d.key}-overall",
                ),
                groups_table(d, "organisations", _("Par organisation"), _("Organisation"), d.organisations),
                groups_table(d, "advisors", _("Par conseiller"), _("Conseiller"), d.advisors),
            )
            for d in self.delays
        ]


GROUPS = ["organisations", "advisors"]


def _advisor_name(first, last, email):
    return f"{first} {last}".strip() or email


def _unassigned_last(measures):
    return sorted(measures, key=lambda m: (str(m.label) == str(_("Non attribué")), m.label))


def _measured(label, histogram, late=0, waiting_late=0):
    """The measure of a group of files from its histogram {tenths of a day: files}."""
    count, median, p90 = nearest_rank(histogram)
    return Measure(label, count, median, p90, late, waiting_late)


def _measure(measure, cells, waiting, period, previous):
    """The overall, previous, per-organisation and per-advisor measures of one delay."""
    rows = list(
        cells.filter(span_q(period), measure=measure)
        .values("organisation_id", "advisor_id", "tenths")
        .annotate(n=Sum("files"), n_late=Sum("late"))
        .order_by()
    )
    waits = list(
        waiting.filter(measure=measure)
        .values("organisation_id", "advisor_id")
        .annotate(n=Sum("files"))
        .order_by()
    )
    before = dict(
        cells.filter(span_q(previous), measure=measure)
        .values("tenths")
        .annotate(n=Sum("files"))
        .order_by()
        .values_list("tenths", "n")
    )

    def keys(row):
        return (None, ("organisations", row["organisation_id"]), ("advisors", row["advisor_id"]))

    histograms, counts = {}, {}  # {key: {tenths: files}}, {key: [late, waiting late]}
    for row in rows:
        for key in keys(row):
            histogram = histograms.setdefault(key, {})
            histogram[row["tenths"]] = histogram.get(row["tenths"], 0) + row["n"]
            counts.setdefault(key, [0, 0])[0] += row["n_late"]
    for row in waits:
        for key in keys(row):
            counts.setdefault(key, [0, 0])[1] += row["n"]

    def measured(label, key):
        return _measured(label, histograms.get(key, {}), *counts.get(key, (0, 0)))

    overall = measured(_("Ensemble"), None)
    previous_measure = _measured(_("Période précédente"), before)
    ids = {name: {key[1] for key in counts if key and key[0] == name} - {None} for name in GROUPS}
    labels = {
        "organisations": dict(
            Organisation.objects.filter(pk__in=ids["organisations"]).values_list("pk", "name")
        ),
        "advisors": {
            pk: _advisor_name(first, last, email)
            for pk, first, last, email in User.objects.filter(pk__in=ids["advisors"]).values_list(
                "pk", "first_name", "last_name", "email"
            )
        },
    }
    groups = {
        name: _unassigned_last(
            measured(labels[name].get(key[1]) or _("Non attribué"), key)
            for key in counts
            if key and key[0] == name
        )
        for name in GROUPS
    }
    return overall, previous_measure, groups


def delays(scope, form, computed_at=None):
    """Time to decision and to payment for the period `form` chose (a valid FiltersForm), in scope, from
    the figures computed at `computed_at` (steering.facts)."""
    period, previous = form.period, form.period.previous()
    schemes = Scheme.objects.only("name", "review_sla_days", "payment_target_days").order_by("pk")
    cells = facts.cells(DelayFact, scope, form)
    waiting = facts.cells(WaitingFact, scope, form)
    measured = {}
    for measure, title in ((Kind.DECISION, _("Délai de décision")), (Kind.PAYMENT, _("Délai de paiement"))):
        overall, before, groups = _measure(measure, cells, waiting, period, previous)
        measured[measure] = Delay(measure.value, title, overall, before, **groups)
    targets = [(s.name, s.review_sla_days, s.payment_target_days) for s in schemes]
    return Delays(period, previous, measured[Kind.DECISION], measured[Kind.PAYMENT], targets, computed_at)
