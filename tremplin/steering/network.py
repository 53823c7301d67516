"""The advisor network, as Place des Entreprises publishes it: requests of the period, the share sent to
an advisor within 72 hours, the share taken in charge within 5 days, and the outcomes.

- A request counts in the period it was made (`Request.created_at`), in its own département.
- Transmitted within 72 h: a match (the request sent to an advisor) was created at most 72 hours after the
  request (a reassigned match keeps its creation time).
- Taken in charge within 5 days: an advisor took it in charge (`Match.taken_care_at`, the first "Prise en
  charge") at most 5 × 24 hours after the request.
- Outcome: the request's status, computed from its matches as everywhere else (`request_status`).
- Per organisation and per antenna, the same counts over the matches of their advisors, the 5 days then
  counted from the match's creation (when the request reached them).
Shares are in per cent of the requests (or matches), one decimal, rounded half up.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.network.models import Match, MatchState, Request, RequestStatus
from tremplin.steering.charts import bar_chart
from tremplin.steering.period import percent

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
OUTCOMES = [
    RequestStatus.DONE,
    RequestStatus.TAKING_CARE,
    RequestStatus.PENDING,
    RequestStatus.NOT_REACHABLE,
    RequestStatus.NO_HELP,
    RequestStatus.NATIONAL_QUEUE,
    RequestStatus.ARCHIVED,
]


def _after(lookup, delay):
    return ExpressionWrapper(OuterRef(lookup) + delay, output_field=DateTimeField())


@dataclass
class Totals:
    requests: int
    transmitted: int
    taken: int

    @property
    def transmitted_share(self):
        return percent(self.transmitted, self.requests)

    @property
    def taken_share(self):
        return percent(self.taken, self.requests)


@dataclass
class Holder:
    """The matches of one organisation or antenna."""

    label: str
    organisation: str
    matches: int
    transmitted: int
    taken: int
    done: int
    no_help: int
    not_reachable: int
    declined: int
    open: int

    @property
    def transmitted_share(self):
        return percent(self.transmitted, self.matches)

    @property
    def taken_share(self):
        return percent(self.taken, self.matches)


@dataclass
class NetworkFigures:
    period: object
    previous: object
    current: Totals
    before: Totals
    outcomes: list  # (status, label, count, share)
    organisations: list
    antennas: list
    computed_at: object

    def chart(self):
        """The requests, those transmitted within 72 h and those taken in charge within 5 days."""
        return bar_chart(
            _("Demandes d'accompagnement, période choisie et période précédente"),
            [
                (_("Demandes reçues"), [self.current.requests, self.before.requests]),
                (_("Transmises sous 72 h"), [self.current.transmitted, self.before.transmitted]),
                (_("Prises en charge sous 5 jours"), [self.current.taken, self.before.taken]),
            ],
            [_("Période choisie"), _("Période précédente")],
        )

    @property
    def rows(self):
        return [(_("Période choisie"), self.current), (_("Période précédente"), self.before)]

    @property
    def holder_tables(self):
        return [
            ("organisations", _("Par organisation"), _("Organisation"), self.organisations),
            ("antennas", _("Par antenne"), _("Antenne"), self.antennas),
        ]

    def outcome_chart(self):
        return bar_chart(
            _("Issue des demandes de la période"),
            [(label, [count]) for _status, label, count, _share in self.outcomes],
            [_("Demandes")],
        )


def _requests(scope, form):
    return scope.filter(Request.objects.filter(form.company_q(territory="departement")), field="departement")


def network(scope, form):
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
        Match.objects.filter(form.company_q(prefix="request__company__", territory="request__departement")),
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
