"""The period and the filters of the funnel, delays and network pages: a GET form, validated, within scope.

A period runs from its first day at 00:00 to the day after its last day at 00:00, local time (Paris); the
previous period has the same number of days and ends the day before.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.diagnostics.peers import SECTION_DIVISIONS
from tremplin.registry.headcount import BRACKET_LABELS, HEADCOUNT_BRACKETS
from tremplin.registry.models import Departement, NafSection, Region

DEFAULT_MONTHS = 6
LONGEST_DAYS = 5 * 366


def months_before(day, months):
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day, included

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def since(self):
        return local_midnight(self.start)

    @property
    def until(self):
        """The first instant after the period."""
        return local_midnight(self.end + timedelta(days=1))

    def previous(self):
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def within(self, field):
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})


def default_period(today=None):
    """The last six months, today included."""
    today = today or timezone.localdate()
    return Period(months_before(today, DEFAULT_MONTHS) + timedelta(days=1), today)


def percent(part, whole):
    """`part` out of `whole` in per cent, one decimal, rounded half up (None when `whole` is 0)."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class FiltersForm(forms.Form):
    """The period and the territory/company filters, offered within the viewer's scope only."""

    start = forms.DateField(
        label=_("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "fr-input"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date de début valide, par exemple 2026-01-31.")},
    )
    end = forms.DateField(
        label=_("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "fr-input"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date de fin valide, par exemple 2026-06-30.")},
    )
    region = forms.ChoiceField(label=_("Région"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    section = forms.ChoiceField(label=_("Secteur (section NAF)"), required=False)
    bracket = forms.ChoiceField(label=_("Tranche d'effectifs"), required=False)

    def __init__(self, data, scope, today=None):
        self.today = today or timezone.localdate()
        data = data.copy()
        if not data.get("start") and not data.get("end"):
            # No period chosen: the form shows the default one, as it is applied.
            period = default_period(self.today)
            data["start"], data["end"] = period.start.isoformat(), period.end.isoformat()
        super().__init__(data)
        self.scope = scope
        departements = Departement.objects.order_by("code")
        regions = Region.objects.order_by("name")
        if not scope.national:
            departements = departements.filter(code__in=scope.departements)
            regions = regions.filter(departements__code__in=scope.departements).distinct()
        everything = [("", _("Toutes"))]
        self.fields["region"].choices = everything + [(r.code, r.name) for r in regions]
        self.fields["departement"].choices = [("", _("Tous"))] + [
            (d.code, f"{d.code} – {d.name}") for d in departements
        ]
        labels = dict(NafSection.objects.values_list("code", "label"))
        self.fields["section"].choices = everything + [
            (code, f"{code} – {labels[code]}" if code in labels else code)
            for code, _lo, _hi in SECTION_DIVISIONS
        ]
        self.fields["bracket"].choices = everything + [
            (b, gettext(BRACKET_LABELS[b])) for b in HEADCOUNT_BRACKETS
        ]
        for name in ("region", "departement", "section", "bracket"):
            self.fields[name].widget.attrs["class"] = "fr-select"
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choisissez une valeur de la liste (%(value)s n'en fait pas partie)."
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        period = default_period(self.today)
        start, end = data.get("start"), data.get("end")
        end = end or (period.end if not start or start <= period.end else start)
        start = start or months_before(end, DEFAULT_MONTHS) + timedelta(days=1)
        if start > end:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        if (end - start).days + 1 > LONGEST_DAYS:
            raise forms.ValidationError(_("Choisissez une période de cinq ans au plus."))
        data["period"] = Period(start, end)
        return data

    @property
    def period(self):
        return self.cleaned_data["period"]

    def dimensions_q(self):
        """The same filters on the pre-aggregated cells (steering.facts), which carry the section."""
        data = self.cleaned_data
        q = Q()
        if data.get("region"):
            q &= Q(departement__region_id=data["region"])
        if data.get("departement"):
            q &= Q(departement_id=data["departement"])
        if data.get("section"):
            q &= Q(section=data["section"])
        if data.get("bracket"):
            q &= Q(bracket=data["bracket"])
        return q

    def query_string(self):
        """The filters as GET parameters, for the links between the three pages."""
        data = {k: v for k, v in self.cleaned_data.items() if v and k != "period"}
        data["start"], data["end"] = self.period.start.isoformat(), self.period.end.isoformat()
        return urlencode(data)
