"""The de minimis check over the single undertaking, on a rolling 3-year period.

Regulation (EU) 2023/2831: a "single undertaking" (art. 2(2)) is all the companies linked to one another
(majority of voting rights, power to appoint the board, dominant influence by contract or statutes,
control by agreement, or through other companies); the de minimis aid it was granted must not exceed
300,000 EUR "over any period of three years" (art. 3(2)); an aid is granted "at the moment the legal right
to receive the aid is conferred" (art. 3(4)) – for us, the approval of the voucher (`decided_at`), not its
payment.

What is summed, on day D (the day of the submission, then of the approval):
- the aid the owner declares for the company itself (`declared_de_minimis_cents`) and for each company
  they declare linked to it (`LinkedCompany.de_minimis_cents`), over the last 3 years, our vouchers aside;
- our own vouchers granted to any company of the single undertaking within the period (`window(D)`),
  counted at their grant amount (`amount_cents`) from their approval day, expired ones aside (their right
  lapsed unused). The single undertaking is the company, the companies its file declares linked, and the
  companies whose granted files declared it, or one of those, linked (one step each way);
- this voucher's amount.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from tremplin.vouchers.models import COUNTED_VOUCHERS, Application, LinkedCompany

# Regulation (EU) 2023/2831 art. 3(2), the scheme's rule may set another ceiling (`de_minimis` params).
CEILING_CENTS = 30_000_000
REGULATION = "Règlement (UE) 2023/2831"


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for a 29 February that year lacks)."""
    year = day.year - years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def window(on: date) -> tuple[date, date]:
    """The 3-year period ending on `on`, both days included: from the day after the same day 3 years
    earlier. On 3 December 2026: 4 December 2023 to 3 December 2026; an aid granted on 3 December 2023 is
    out of it."""
    return years_before(on, 3) + timedelta(days=1), on


@dataclass(frozen=True)
class Grant:
    reference: str
    siren: str
    granted_on: date
    amount_cents: int

    def as_dict(self):
        return {
            "reference": self.reference,
            "siren": self.siren,
            "granted_on": self.granted_on.isoformat(),
            "amount_cents": self.amount_cents,
        }


@dataclass(frozen=True)
class Check:
    """The sums of one check; `passed` None while a declaration is missing."""

    on: date
    ceiling_cents: int
    declared_cents: int | None
    has_linked_companies: bool | None
    linked: tuple = ()  # (siren, name, cents)
    granted: tuple = field(default=())  # Grant
    this_voucher_cents: int = 0

    @property
    def window(self):
        return window(self.on)

    @property
    def linked_cents(self):
        return sum(cents for _siren, _name, cents in self.linked)

    @property
    def granted_cents(self):
        return sum(g.amount_cents for g in self.granted)

    @property
    def total_cents(self):
        return (self.declared_cents or 0) + self.linked_cents + self.granted_cents + self.this_voucher_cents

    @property
    def passed(self):
        if self.declared_cents is None or self.has_linked_companies is None:
            return None
        return self.total_cents <= self.ceiling_cents

    def as_dict(self):
        start, end = self.window
        return {
            "regulation": REGULATION,
            "checked_on": self.on.isoformat(),
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "ceiling_cents": self.ceiling_cents,
            "declared_cents": self.declared_cents,
            "has_linked_companies": self.has_linked_companies,
            "linked_companies": [
                {"siren": siren, "name": name, "de_minimis_cents": cents}
                for siren, name, cents in self.linked
            ],
            "linked_cents": self.linked_cents,
            "granted": [g.as_dict() for g in self.granted],
            "granted_cents": self.granted_cents,
            "this_voucher_cents": self.this_voucher_cents,
            "total_cents": self.total_cents,
            "passed": self.passed,
        }


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def single_undertaking(application, linked=None):
    """Which companies make the single undertaking of `application`'s company (see the module's
    docstring), as a condition on a file's company: one query with the grants it selects."""
    own = application.company.siren
    declared = (
        {row.siren for row in linked}
        if linked is not None
        else set(LinkedCompany.objects.filter(application=application).values_list("siren", flat=True))
    )
    sirens = {own, *declared}
    # Granted files of other companies that declared one of these companies linked to theirs.
    declaring = (
        LinkedCompany.objects.filter(siren__in=sirens, application__state__in=COUNTED_VOUCHERS)
        .exclude(application=application)
        .values("application__company__siren")
    )
    return Q(company__siren__in=sirens) | Q(company__siren__in=declaring)


def our_grants(undertaking, on, exclude=None):
    """Our vouchers granted to the companies of `undertaking` (a condition, `single_undertaking()`, or
    SIRENs) within the 3-year period ending on `on`, by grant date."""
    start, end = window(on)
    if not isinstance(undertaking, Q):
        undertaking = Q(company__siren__in=undertaking)
    granted = Application.objects.filter(
        undertaking,
        state__in=COUNTED_VOUCHERS,
        decided_at__gte=_day_start(start),
        decided_at__lt=_day_start(end + timedelta(days=1)),
    )
    if exclude is not None:
        granted = granted.exclude(pk=exclude)
    rows = granted.order_by("decided_at", "pk").values_list(
        "pk", "created_at", "company__siren", "decided_at", "amount_cents"
    )
    return tuple(
        Grant(
            reference=Application(pk=pk, created_at=created).reference,
            siren=siren,
            granted_on=timezone.localdate(decided),
            amount_cents=amount or 0,
        )
        for pk, created, siren, decided, amount in rows
    )


def ceiling_of(scheme):
    """The scheme's de minimis ceiling, or None when its rules hold no de minimis rule."""
    rule = next((r for r in scheme.rules_in_force() if r.kind == "de_minimis"), None)
    return None if rule is None else ceiling_in(rule)


def ceiling_in(rule):
    """The ceiling a de minimis rule sets."""
    return (rule.params or {}).get("ceiling_cents", CEILING_CENTS)


def check(application, on=None, amount_cents=None, ceiling_cents=None):
    """The de minimis check of `application` on day `on` (today by default)."""
    on = on or timezone.localdate()
    # Linked companies are only ever recorded with `has_linked_companies` true (services.declare_linked_companies).
    linked = (
        list(LinkedCompany.objects.filter(application=application).order_by("id"))
        if application.has_linked_companies
        else []
    )
    undertaking = single_undertaking(application, linked)
    if amount_cents is None:
        amount_cents = application.amount_cents or 0
    return Check(
        on=on,
        ceiling_cents=ceiling_cents
        if ceiling_cents is not None
        else (ceiling_of(application.scheme) or CEILING_CENTS),
        declared_cents=application.declared_de_minimis_cents,
        has_linked_companies=application.has_linked_companies,
        linked=tuple((row.siren, row.name, row.de_minimis_cents) for row in linked)
        if application.has_linked_companies
        else (),
        granted=our_grants(undertaking, on, exclude=application.pk),
        this_voucher_cents=amount_cents,
    )
