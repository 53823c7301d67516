"""The funnel: diagnostics → files opened → submitted → granted → payment claimed → paid, for a period.

Definitions (written on the page too):
- diagnostics: digital maturity diagnostics completed in the period;
- files: every file opened (created) in the period, drafts included: a cohort, each stage counting the
  files of that cohort which reached it, whenever they did;
- submitted: the file was submitted (`submitted_at`); granted: the voucher was granted (its state is one
  of the "granted" states: approved, payment claimed, paid, expired, clawed back); claimed: a payment claim
  exists; paid: its transfer is in a batch marked paid.
Every count is one SQL aggregate (GROUP BY for the splits), whatever the number of files.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.registry.headcount import BRACKET_LABELS, HEADCOUNT_BRACKETS
from tremplin.registry.models import NafSection
from tremplin.steering.charts import bar_chart
from tremplin.steering.period import percent, section_of_division
from tremplin.vouchers.models import GRANTED, Application, states_tagged

STAGES = [
    ("diagnostics", _("Diagnostics réalisés")),
    ("applications", _("Dossiers ouverts")),
    ("submitted", _("Demandes déposées")),
    ("approved", _("Chèques accordés")),
    ("claimed", _("Demandes de paiement")),
    ("paid", _("Chèques payés")),
]
FILE_STAGES = [key for key, _label in STAGES if key != "diagnostics"]
SPLITS = [
    ("region", _("Par région")),
    ("departement", _("Par département")),
    ("section", _("Par secteur (section NAF)")),
    ("bracket", _("Par tranche d'effectifs")),
    ("month", _("Par mois")),
]
GRANTED_STATES = [s.value for s in states_tagged(GRANTED)]


def _reached(within):
    """The file stages' counts among the files opened `within` (a Q on the file)."""
    return {
        "applications": Count("pk", filter=within),
        "submitted": Count("pk", filter=within & Q(submitted_at__isnull=False)),
        "approved": Count("pk", filter=within & Q(state__in=GRANTED_STATES)),
        "claimed": Count("pk", filter=within & Q(claim__isnull=False)),
        "paid": Count("pk", filter=within & Q(payment_line__batch__paid_at__isnull=False)),
    }


@dataclass
class Stage:
    key: str
    label: str
    count: int
    previous: int
    # Of the stage before, in per cent (None for the first stage or when the stage before is empty).
    rate: object = None

    @property
    def change(self):
        """Change from the previous period, in per cent (None when the previous period had none)."""
        if not self.previous:
            return None
        return percent(self.count - self.previous, self.previous)

    @property
    def difference(self):
        return self.count - self.previous


@dataclass
class Row:
    key: object
    label: str
    counts: dict = field(default_factory=dict)

    def cells(self):
        return [self.counts.get(key, 0) for key, _label in STAGES]


@dataclass
class Funnel:
    period: object
    previous: object
    stages: list
    splits: list  # (key, title, rows)
    computed_at: object

    @property
    def months(self):
        return next(rows for key, _title, rows in self.splits if key == "month")

    def stage_chart(self):
        return bar_chart(
            _("Dossiers à chaque étape, période choisie et période précédente"),
            [(stage.label, [stage.count, stage.previous]) for stage in self.stages],
            [_("Période choisie"), _("Période précédente")],
        )

    def month_chart(self):
        return bar_chart(
            _("Dossiers ouverts et chèques accordés, par mois d'ouverture"),
            [
                (
                    date_format(row.key, "F Y"),
                    [row.counts.get("applications", 0), row.counts.get("approved", 0)],
                )
                for row in self.months
            ],
            [_("Dossiers ouverts"), _("Chèques accordés")],
        )

    def stage(self, key):
        return next(stage for stage in self.stages if stage.key == key)


def _files(scope, form):
    return scope.filter(Application.objects.filter(form.company_q()))


def _diagnostics(scope, form):
    return scope.filter(Diagnostic.objects.filter(form.company_q(), state=DiagnosticState.COMPLETED))


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


def _months_of(period):
    months, day = [], date(period.start.year, period.start.month, 1)
    while day <= period.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _split(scope, form, key, sections):
    period = form.period
    rows = {}

    def row_for(value, name):
        if key == "section":
            value = section_of_division(value)
            name = (f"{value} – {sections[value]}" if value in sections else value) or _("Secteur inconnu")
        elif key == "bracket":
            name = gettext(BRACKET_LABELS[value]) if value in BRACKET_LABELS else _("Tranche inconnue")
        elif key == "month":
            value = _month_start(value)
            name = value
        elif not value:
            name = _("Inconnu")
        return rows.setdefault(value or "", Row(value or "", name))

    files = (
        _files(scope, form)
        .filter(period.within("created_at"))
        .values(**_group_by(key, "created_at"))
        .annotate(**_reached(Q()))
        .order_by()
    )
    for line in files:
        row = row_for(line["g"], line.get("name"))
        for stage in FILE_STAGES:
            row.counts[stage] = row.counts.get(stage, 0) + line[stage]
    diagnostics = (
        _diagnostics(scope, form)
        .filter(period.within("completed_at"))
        .values(**_group_by(key, "completed_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for line in diagnostics:
        row = row_for(line["g"], line.get("name"))
        row.counts["diagnostics"] = row.counts.get("diagnostics", 0) + line["n"]
    if key == "month":
        for month in _months_of(period):
            rows.setdefault(month, Row(month, month))
        return [rows[m] for m in sorted(rows)]
    if key == "bracket":
        order = {b: i for i, b in enumerate(HEADCOUNT_BRACKETS)}
        return sorted(rows.values(), key=lambda r: (order.get(r.key, 99), r.key))
    return sorted(rows.values(), key=lambda r: (r.key == "", str(r.key)))


def funnel(scope, form):
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
