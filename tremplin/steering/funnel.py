"""The funnel: diagnostics → files opened → submitted → granted → payment claimed → paid, for a period.

Definitions (written on the page too):
- diagnostics: digital maturity diagnostics completed in the period;
- files: every file opened (created) in the period, drafts included: a cohort, each stage counting the
  files of that cohort which reached it, whenever they did;
- submitted: the file was submitted (`submitted_at`); granted: the voucher was granted (its state is one
  of the "granted" states: approved, payment claimed, paid, expired, clawed back); claimed: a payment claim
  exists; paid: its transfer is in a batch marked paid.
The counts are read from the pre-aggregated cells (steering.facts): one SQL sum per table, whatever the
number of files.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format, localize
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.registry.headcount import BRACKET_LABELS, HEADCOUNT_BRACKETS
from tremplin.registry.models import NafSection
from tremplin.steering import facts, tables
from tremplin.steering.charts import bar_chart
from tremplin.steering.facts import span_q
from tremplin.steering.models import FunnelFact
from tremplin.steering.period import percent

STAGES = [
    ("diagnostics", _("Diagnostics réalisés")),
    ("applications", _("Dossiers ouverts")),
    ("submitted", _("Demandes déposées")),
    ("approved", _("Chèques accordés")),
    ("claimed", _("Demandes de paiement")),
    ("paid", _("Chèques payés")),
]
SPLITS = [
    ("region", _("Par région")),
    ("departement", _("Par département")),
    ("section", _("Par secteur (section NAF)")),
    ("bracket", _("Par tranche d'effectifs")),
    ("month", _("Par mois")),
]


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

    @property
    def shown_change(self):
        """The change as the page writes it: +12,5 %, -3 %, or – without a previous figure."""
        if self.change is None:
            return "–"
        return f"{'+' if self.difference > 0 else ''}{localize(self.change)} %"


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

    def stage_table(self):
        days = {
            name: date_format(day, "j F Y")
            for name, day in (
                ("start", self.period.start),
                ("end", self.period.end),
                ("pstart", self.previous.start),
                ("pend", self.previous.end),
            )
        }
        return tables.Table(
            _("Étapes du parcours du %(start)s au %(end)s, comparées au %(pstart)s – %(pend)s") % days,
            [
                _("Étape"),
                _("Période choisie"),
                _("Part de l'étape précédente"),
                _("Période précédente"),
                _("Évolution"),
            ],
            [
                tables.Row(
                    [stage.count, tables.or_dash(stage.rate, " %"), stage.previous, stage.shown_change],
                    header=stage.label,
                    id=f"stage-{stage.key}",
                )
                for stage in self.stages
            ],
        )

    def split_tables(self):
        """(key, title, table) of each split; no table when the split has no row."""
        return [
            (
                key,
                title,
                rows
                and tables.Table(
                    _("Étapes du parcours %(what)s") % {"what": str(title).lower()},
                    [title, *[stage.label for stage in self.stages]],
                    [
                        tables.Row(
                            row.cells(), header=tables.month(row.label) if key == "month" else row.label
                        )
                        for row in rows
                    ],
                    id=f"split-{key}",
                ),
            )
            for key, title, rows in self.splits
        ]


def _month_start(value):
    return date(value.year, value.month, 1)


def _months_of(period):
    months, day = [], date(period.start.year, period.start.month, 1)
    while day <= period.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


GROUP_BY = {
    # The départements' lines carry their région: the région split is summed from them.
    "departement": {
        "g": F("departement_id"),
        "name": F("departement__name"),
        "region": F("departement__region_id"),
        "region_name": F("departement__region__name"),
    },
    "section": {"g": F("section")},
    "bracket": {"g": F("bracket")},
    "month": {"g": TruncMonth("day")},
}
COUNTS = [key for key, _label in STAGES]


def row_for(rows, key, value, name, sections):
    """The row of `rows` (a dict) for the group `value` of split `key`, made with its label if new."""
    if key == "section":
        name = (f"{value} – {sections[value]}" if value in sections else value) or _("Secteur inconnu")
    elif key == "bracket":
        name = gettext(BRACKET_LABELS[value]) if value in BRACKET_LABELS else _("Tranche inconnue")
    elif key == "month":
        value = _month_start(value)
        name = value
    elif not value:
        name = _("Inconnu")
    return rows.setdefault(value or "", Row(value or "", name))


def ordered(rows, key, period):
    """The rows of split `key` in the page's order (every month of the period, even empty)."""
    if key == "month":
        for month in _months_of(period):
            rows.setdefault(month, Row(month, month))
        return [rows[m] for m in sorted(rows)]
    if key == "bracket":
        order = {b: i for i, b in enumerate(HEADCOUNT_BRACKETS)}
        return sorted(rows.values(), key=lambda r: (order.get(r.key, 99), r.key))
    return sorted(rows.values(), key=lambda r: (r.key == "", str(r.key)))


def _lines(scope, form, key):
    return (
        facts.cells(FunnelFact, scope, form, by=[key] if key in ("departement", "section", "bracket") else [])
        .filter(span_q(form.period))
        .values(**GROUP_BY[key])
        .annotate(**{f"n_{stage}": Sum(stage) for stage in COUNTS})
        .order_by()
    )


def _splits(scope, form, sections):
    """{split key: its rows}, one query per split but the région's (summed from the départements)."""
    found = {key: {} for key, _title in SPLITS}
    for key in GROUP_BY:
        for line in _lines(scope, form, key):
            targets = [(key, line["g"], line.get("name"))]
            if key == "departement":
                targets.append(("region", line["region"], line["region_name"]))
            for split, value, name in targets:
                row = row_for(found[split], split, value, name, sections)
                for stage in COUNTS:
                    row.counts[stage] = row.counts.get(stage, 0) + line[f"n_{stage}"]
    return {key: ordered(rows, key, form.period) for key, rows in found.items()}


def funnel(scope, form, computed_at=None):
    """The funnel of the period `form` chose (a valid FiltersForm), with the previous period, in scope,
    from the figures computed at `computed_at` (steering.facts)."""
    period, previous = form.period, form.period.previous()
    cells = facts.cells(FunnelFact, scope, form)
    now, before = span_q(period), span_q(previous)
    totals = cells.filter(now | before).aggregate(
        **{f"now_{key}": Coalesce(Sum(key, filter=now), 0) for key in COUNTS},
        **{f"prev_{key}": Coalesce(Sum(key, filter=before), 0) for key in COUNTS},
    )
    stages, before_count = [], None
    for key, label in STAGES:
        stage = Stage(key, label, totals[f"now_{key}"], totals[f"prev_{key}"])
        if before_count is not None and key != "applications":
            stage.rate = percent(stage.count, before_count)
        stages.append(stage)
        before_count = stage.count
    sections = dict(NafSection.objects.values_list("code", "label"))
    rows = _splits(scope, form, sections)
    splits = [(key, title, rows[key]) for key, title in SPLITS]
    return Funnel(period, previous, stages, splits, computed_at)
