"""Firms reached, from the action log: each company counts once, in the month of its first action ever.

That first action also says who reached it (advisor, organisation, département), so the counts of
all advisors add up to the programme's total without double counting.
"""

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import TruncMonth

from tremplin.network.models import Action, ActionKind

GROUPS = {
    "advisor": "advisor_id",
    "organisation": "organisation_id",
    "departement": "departement_id",
}


def first_contacts():
    """The first action ever of each company (earliest date, then earliest logged)."""
    first = Action.objects.filter(company_id=OuterRef("company_id")).order_by("on", "id").values("id")[:1]
    return Action.objects.annotate(first_id=Subquery(first)).filter(id=F("first_id"))


def reach(by, *, since=None, until=None, **filters):
    """{(group id, first day of month): firms} for by in advisor / organisation / departement."""
    column = GROUPS[by]
    rows = first_contacts().filter(**filters)
    if since:
        rows = rows.filter(on__gte=since)
    if until:
        rows = rows.filter(on__lte=until)
    rows = (
        rows.annotate(month=TruncMonth("on"))
        .values(column, "month")
        .annotate(firms=Count("company_id", distinct=True))
        .order_by(column, "month")
    )
    return {(row[column], row["month"]): row["firms"] for row in rows}


def firms_reached(*, since=None, until=None, **filters):
    """How many companies had their first action ever in the period (and matching filters)."""
    rows = first_contacts().filter(**filters)
    if since:
        rows = rows.filter(on__gte=since)
    if until:
        rows = rows.filter(on__lte=until)
    return rows.values("company_id").distinct().count()


def last_support_on(company):
    """Date of the company's last awareness session or diagnostic with an advisor, or None: the fact
    `last_support_action_on` of the scheme rules."""
    return (
        Action.objects.filter(company=company, kind__in=[ActionKind.AWARENESS, ActionKind.DIAGNOSTIC])
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )
