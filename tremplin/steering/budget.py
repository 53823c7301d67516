"""Budget figures of the steering page: every figure comes from the envelopes' ledger, in one GROUP BY.

For each envelope (a scheme's budget for one région and one year):
- committed = Σ reserve − Σ release − Σ clawback (as `schemes.budget.ledger_totals`), split into
  *reserved* (files that hold money but are not approved yet) and *firm* (files with a `commit` entry:
  approved, claimed, paid); disbursed = Σ disburse − Σ clawback; free = total − committed.
- Burn: committed and disbursed cumulated at the end of each month (local time, Europe/Paris).
- Forecast (`PACE_DAYS`, `MIN_HISTORY_DAYS`): pace = net commitment (reserve − release − clawback) over
  the last 90 days, today included, divided by 90 (or by the days since the envelope's first movement when
  it is younger, as long as that is at least 30 days); run-out date = today + ⌈free ÷ pace⌉ days. No
  forecast when the pace is zero or negative, or with less than 30 days of movements. Integer arithmetic:
  no float.

Two paths give the same figures: `figures` reads the pre-aggregated tables of `steering.stock_facts` (the pages,
as of the last refresh), `live_figures` reads the ledger itself (the budget alerts, right after a
reservation). `ledger_months` is the GROUP BY the refresh stores.

Scope: the nation sees every envelope and its free budget, forecast and reconciliation with the envelope's
counters. An organisation's head sees the envelopes of the régions its territory touches: the envelope's
total, and the committed / disbursed amounts and the burn of the files of its own territory only; the free
budget and the forecast, which depend on files outside it, are not shown to them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, F, FilteredRelation, Min, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.registry.models import Departement
from tremplin.schemes.models import Envelope, LedgerEntry
from tremplin.steering import tables
from tremplin.steering.models import EnvelopeSnapshot, LedgerMonth
from tremplin.steering.refresh import last_refresh

Kind = LedgerEntry.Kind
PACE_DAYS = 90
MIN_HISTORY_DAYS = 30
THRESHOLDS = (50, 75, 90)  # percent committed at which managers are alerted


def percent(part, whole):
    """`part` as a percentage of `whole`, rounded half up to one decimal (Decimal); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Month:
    month: date  # first day of the month
    committed_cents: int  # cumulated at the end of the month (or today for the current month)
    disbursed_cents: int


@dataclass
class Forecast:
    days: int  # days of the window the pace is measured on
    net_cents: int  # net commitment over that window
    run_out: date | None  # None: no forecast
    reason: str = ""  # "exhausted", "no_pace", "short_history" or "" when there is a date

    @property
    def pace_cents_per_day(self):
        """The pace, rounded to the cent for display (the date uses the exact ratio)."""
        return (Decimal(self.net_cents) / self.days).quantize(Decimal("1")) if self.days else Decimal(0)


@dataclass
class EnvelopeFigures:
    envelope: Envelope
    national: bool
    total_cents: int  # the envelope's amount and counters, at the time of the figures
    counted_committed_cents: int
    counted_disbursed_cents: int
    reserved_cents: int = 0
    firm_cents: int = 0
    disbursed_cents: int = 0
    months: list = field(default_factory=list)
    forecast: Forecast | None = None

    @property
    def committed_cents(self):
        return self.reserved_cents + self.firm_cents

    @property
    def free_cents(self):
        return self.total_cents - self.committed_cents if self.national else None

    @property
    def percent_committed(self):
        return percent(self.committed_cents, self.total_cents)

    @property
    def percent_disbursed(self):
        return percent(self.disbursed_cents, self.total_cents)

    @property
    def reconciled(self):
        """The ledger's figures equal the envelope's counters (national scope only: None otherwise)."""
        if not self.national:
            return None
        return (self.committed_cents, self.disbursed_cents) == (
            self.counted_committed_cents,
            self.counted_disbursed_cents,
        )

    @property
    def chart(self):
        return burn_chart(self)

    def amounts_table(self):
        rows = [
            (_("Montant total"), self.total_cents, "total"),
            (_("Réservé (déposé, en attente de décision)"), self.reserved_cents, "reserved"),
            (_("Engagé ferme (accordé, en paiement, payé)"), self.firm_cents, "firm"),
            (_("Engagé (réservé + ferme)"), self.committed_cents, "committed"),
            (_("Payé"), self.disbursed_cents, "disbursed"),
        ]
        if self.national:
            rows.append((_("Libre"), self.free_cents, "free"))
        percent_cell = tables.Cell(
            tables.or_dash(self.percent_committed, " %"), amount=True, figure="percent"
        )
        return tables.Table(
            _("Montants de l'enveloppe")
            if self.national
            else _("Montants de votre territoire dans l'enveloppe"),
            [_("Montant"), _("Valeur")],
            [tables.Row([tables.amount(cents, figure)], header=label) for label, cents, figure in rows]
            + [tables.Row([percent_cell], header=_("Part engagée"))],
        )

    def months_table(self):
        return tables.Table(
            _("Engagé et payé cumulés à la fin de chaque mois (le mois en cours : à ce jour)"),
            [_("Mois"), _("Engagé cumulé"), _("Payé cumulé")],
            [
                tables.Row(
                    [tables.amount(m.committed_cents), tables.amount(m.disbursed_cents)],
                    header=tables.month(m.month),
                )
                for m in self.months
            ],
        )


def envelopes_in(scope):
    """The envelopes the scope sees: all of them, or those of the régions its territory touches."""
    envelopes = Envelope.objects.select_related("scheme", "region").order_by(
        "-year", "scheme__name", "region__name"
    )
    if scope.national:
        return envelopes
    regions = Departement.objects.filter(code__in=scope.departements).values("region_id")
    return envelopes.filter(region_id__in=regions)


def _firm():
    """Whether a movement's file has a firm commitment: a LEFT JOIN to the file's `commit` entry (hash-joined
    by PostgreSQL), not a subquery per row. A file has at most one: only its approval writes one."""
    commitment = FilteredRelation("application__ledger", condition=Q(application__ledger__kind=Kind.COMMIT))
    firm = Case(
        When(commitment__isnull=False, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return commitment, firm


def ledger_rows(scope, envelope_ids):
    """(envelope, kind, local day, firm, Σ amount) of the ledger, in the scope; one query."""
    commitment, firm = _firm()
    entries = scope.filter(
        LedgerEntry.objects.filter(envelope_id__in=envelope_ids), field="application__company__departement"
    )
    return (
        entries.annotate(commitment=commitment)
        .annotate(day=TruncDate("at"), firm=firm)
        .values("envelope_id", "kind", "day", "firm")
        .annotate(amount=Sum("amount_cents"))
        .order_by()
    )


# LedgerMonth's fields and the aliases `ledger_months` gives them.
LEDGER_MONTH_COLUMNS = {
    "envelope": "l_envelope",
    "departement_code": "l_departement",
    "month": "l_month",
    "kind": "l_kind",
    "firm": "l_firm",
    "recent": "l_recent",
    "first_day": "l_first_day",
    "amount_cents": "l_amount",
}


def ledger_months(today):
    """The whole ledger grouped as `LedgerMonth` rows (aliases: LEDGER_MONTH_COLUMNS), as of `today`."""
    commitment, firm = _firm()
    window = Q(day__gte=today - timedelta(days=PACE_DAYS - 1), day__lte=today)
    return (
        LedgerEntry.objects.annotate(commitment=commitment)
        .alias(day=TruncDate("at"))
        .annotate(
            l_envelope=F("envelope_id"),
            l_departement=F("application__company__departement_id"),
            l_month=TruncMonth("day"),
            l_kind=F("kind"),
            l_firm=firm,
            l_recent=Case(When(window, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values("l_envelope", "l_departement", "l_month", "l_kind", "l_firm", "l_recent")
        .annotate(l_first_day=Min("day"), l_amount=Sum("amount_cents"))
        .order_by()
    )


def envelope_counters():
    """Every envelope's amount and counters, as `EnvelopeSnapshot` rows (for `stock_facts.insert_select`)."""
    return Envelope.objects.values(
        "total_cents", "committed_cents", "disbursed_cents", envelope=F("pk")
    ).order_by()


def committed_delta(kind, amount):
    return {Kind.RESERVE: amount, Kind.RELEASE: -amount, Kind.CLAWBACK: -amount}.get(kind, 0)


def disbursed_delta(kind, amount):
    return {Kind.DISBURSE: amount, Kind.CLAWBACK: -amount}.get(kind, 0)


def _add(fig, periods, row):
    """Add one (kind, firm, amount) row of the ledger to the envelope's totals and to its period."""
    kind, amount = row["kind"], row["amount"]
    delta = committed_delta(kind, amount)
    if row["firm"]:
        fig.firm_cents += delta
    else:
        fig.reserved_cents += delta
    fig.disbursed_cents += disbursed_delta(kind, amount)
    period = periods.setdefault(row["period"], [0, 0])
    period[0] += delta
    period[1] += disbursed_delta(kind, amount)
    return delta


def live_figures(scope, now=None, envelope_ids=None):
    """The figures of every envelope the scope sees (or of those among `envelope_ids`), from the ledger
    itself: two queries, but over every movement of the envelopes (the alerts; the pages read `figures`)."""
    today = timezone.localdate(now or timezone.now())
    envelopes = envelopes_in(scope)
    if envelope_ids is not None:
        envelopes = envelopes.filter(pk__in=envelope_ids)
    by_id = {
        e.pk: EnvelopeFigures(
            envelope=e,
            national=scope.national,
            total_cents=e.total_cents,
            counted_committed_cents=e.committed_cents,
            counted_disbursed_cents=e.disbursed_cents,
        )
        for e in envelopes
    }
    days = {pk: {} for pk in by_id}  # envelope -> day -> [committed delta, disbursed delta]
    if by_id:
        for row in ledger_rows(scope, list(by_id)):
            _add(by_id[row["envelope_id"]], days[row["envelope_id"]], {**row, "period": row["day"]})
    for pk, fig in by_id.items():
        fig.months = burn(days[pk], today)
        if scope.national:
            fig.forecast = forecast(days[pk], fig.free_cents, today)
    return list(by_id.values())


def figures(scope, refreshed=None):
    """The same figures as `live_figures`, as of the last refresh (`refreshed`, the record of
    `refresh.last_refresh`: its `stock_on` is the figures' "today"), from the pre-aggregated tables: three
    small queries whatever the ledger holds. No envelope when the figures were never computed."""
    if refreshed is None:
        refreshed = last_refresh()
    if refreshed.stock_computed_at is None:
        return []
    today = refreshed.stock_on
    snapshots = EnvelopeSnapshot.objects.select_related("envelope__scheme", "envelope__region").filter(
        envelope__in=envelopes_in(scope)
    )
    by_id = {
        s.envelope_id: EnvelopeFigures(
            envelope=s.envelope,
            national=scope.national,
            total_cents=s.total_cents,
            counted_committed_cents=s.committed_cents,
            counted_disbursed_cents=s.disbursed_cents,
        )
        for s in snapshots.order_by("-envelope__year", "envelope__scheme__name", "envelope__region__name")
    }
    months = {pk: {} for pk in by_id}  # envelope -> month -> [committed delta, disbursed delta]
    first = {}  # envelope -> day of its first movement
    recent = dict.fromkeys(by_id, 0)  # envelope -> net commitment in the forecast's window
    rows = scope.filter(LedgerMonth.objects.filter(envelope_id__in=list(by_id)), field="departement_code")
    for row in (
        rows.values("envelope_id", "month", "kind", "firm", "recent")
        .annotate(amount=Sum("amount_cents"), first_day=Min("first_day"))
        .order_by()
    ):
        pk = row["envelope_id"]
        delta = _add(by_id[pk], months[pk], {**row, "period": row["month"]})
        if row["recent"]:
            recent[pk] += delta
        first[pk] = min(first.get(pk, row["first_day"]), row["first_day"])
    for pk, fig in by_id.items():
        fig.months = burn(months[pk], today)
        if scope.national:
            fig.forecast = window_forecast(first.get(pk), recent[pk], fig.free_cents, today)
    return list(by_id.values())


def first_of_month(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def burn(days, today):
    """Committed and disbursed cumulated at the end of each month, from the first movement to today's month.

    `days`: {day: [committed delta, disbursed delta]}; a month's first day may stand for the whole month."""
    if not days:
        return []
    month, last = first_of_month(min(days)), first_of_month(today)
    committed = disbursed = 0
    ordered = sorted(days.items())
    months, i = [], 0
    while month <= last:
        end = next_month(month)
        while i < len(ordered) and ordered[i][0] < end:
            committed += ordered[i][1][0]
            disbursed += ordered[i][1][1]
            i += 1
        months.append(Month(month, committed, disbursed))
        month = end
    return months


def forecast(days, free_cents, today):
    """When the free budget reaches zero at the pace of the last `PACE_DAYS` days (see the module's text)."""
    if not days:
        return window_forecast(None, 0, free_cents, today)
    start = max(today - timedelta(days=PACE_DAYS - 1), min(days))
    net = sum(delta[0] for day, delta in days.items() if start <= day <= today)
    return window_forecast(min(days), net, free_cents, today)


def window_forecast(first_day, net, free_cents, today):
    """The forecast from the first movement's day and the net commitment of the days of the window."""
    if first_day is None:
        return Forecast(days=0, net_cents=0, run_out=None, reason="short_history")
    start = max(today - timedelta(days=PACE_DAYS - 1), first_day)
    window = (today - start).days + 1
    if free_cents <= 0:
        return Forecast(days=window, net_cents=net, run_out=today, reason="exhausted")
    if window < MIN_HISTORY_DAYS:
        return Forecast(days=window, net_cents=net, run_out=None, reason="short_history")
    if net <= 0:
        return Forecast(days=window, net_cents=net, run_out=None, reason="no_pace")
    remaining_days = -(-free_cents * window // net)  # ⌈free ÷ (net ÷ window)⌉, in integers
    return Forecast(days=window, net_cents=net, run_out=today + timedelta(days=remaining_days))


# --- the chart ------------------------------------------------------------------------------------

# RIGHT leaves room for half of the last month's label, centred under its point ("sept. 26" at 13 units:
# about 60 wide), or the SVG's edge would cut it.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 76, 36, 16, 40


def burn_chart(fig):
    """Coordinates of the burn chart (SVG user units): two polylines, the total's line, the axes.

    Given as strings: the template writes them as they are (an integer would go through localisation,
    a few thousand times on a page of many envelopes)."""
    months = fig.months
    if not months:
        return None
    top_value = max([fig.total_cents] + [m.committed_cents for m in months]) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w // max(len(months) - 1, 1)

    def y(value):
        return TOP + plot_h - (max(value, 0) * plot_h) // top_value

    def x(i):
        return LEFT + (i * step if len(months) > 1 else plot_w // 2)

    points = {
        "committed": " ".join(f"{x(i)},{y(m.committed_cents)}" for i, m in enumerate(months)),
        "disbursed": " ".join(f"{x(i)},{y(m.disbursed_cents)}" for i, m in enumerate(months)),
    }
    total_y = y(fig.total_cents)
    return {
        "width": str(WIDTH),
        "height": str(HEIGHT),
        "left": str(LEFT),
        "right": str(WIDTH - RIGHT),
        "bottom": str(TOP + plot_h),
        "top": str(TOP),
        "total_y": str(total_y),
        "total_label_y": str(total_y - 4),
        "tick_label_x": str(LEFT - 4),
        "points": points,
        "dots": [
            {
                "x": str(x(i)),
                "committed_y": str(y(m.committed_cents)),
                "square_x": str(x(i) - 3),  # the disbursed point's 6 × 6 square, centred on it
                "square_y": str(y(m.disbursed_cents) - 3),
                "month": m.month,
            }
            for i, m in enumerate(months)
        ],
        "label_y": str(TOP + plot_h + 24),
        "ticks": [
            {
                "y": str(y(top_value * k // 4)),
                "label_y": str(y(top_value * k // 4) + 4),
                "cents": top_value * k // 4,
            }
            for k in range(5)
        ],
    }
