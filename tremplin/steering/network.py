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
Shares are in per cent of the requests (or matches), one decimal, rounded half up. The counts are read
from the pre-aggregated cells (steering.facts), the outcomes as they were when the figures were computed.
"""

from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from tremplin.network.models import RequestStatus
from tremplin.steering import facts, tables
from tremplin.steering.charts import bar_chart
from tremplin.steering.facts import span_q
from tremplin.steering.models import MatchFact, RequestFact
from tremplin.steering.period import percent

OUTCOMES = [
    RequestStatus.DONE,
    RequestStatus.TAKING_CARE,
    RequestStatus.PENDING,
    RequestStatus.NOT_REACHABLE,
    RequestStatus.NO_HELP,
    RequestStatus.NATIONAL_QUEUE,
    RequestStatus.ARCHIVED,
]


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

    def requests_table(self):
        def with_share(count, share):
            return count if share is None else f"{localize(count)} ({localize(share)} %)"

        return tables.Table(
            _("Demandes, transmission et prise en charge, période choisie et période précédente"),
            [
                _("Période"),
                _("Demandes reçues"),
                _("Transmises sous 72 h"),
                _("Prises en charge sous 5 jours"),
            ],
            [
                tables.Row(
                    [
                        t.requests,
                        with_share(t.transmitted, t.transmitted_share),
                        with_share(t.taken, t.taken_share),
                    ],
                    header=label,
                )
                for label, t in self.rows
            ],
            id="requests",
        )

    def outcomes_table(self):
        return tables.Table(
            _("Issue des demandes de la période, à ce jour"),
            [_("Issue"), _("Demandes"), _("Part")],
            [
                tables.Row([count, f"{tables.or_dash(share)} %"], header=label)
                for _status, label, count, share in self.outcomes
            ],
            id="outcomes",
        )

    def holder_tables(self):
        """(title, table) per organisation and per antenna."""
        return [
            (
                title,
                tables.Table(
                    _("Mises en relation de la période, %(what)s") % {"what": str(title).lower()},
                    [
                        who,
                        _("Mises en relation"),
                        _("Reçues sous 72 h"),
                        _("Prises en charge sous 5 jours"),
                        _("Accompagnées"),
                        _("Sans aide possible"),
                        _("Injoignables"),
                        _("Déclinées"),
                        _("En cours"),
                    ],
                    [
                        tables.Row(
                            [
                                h.matches,
                                f"{tables.or_dash(h.transmitted_share)} %",
                                f"{tables.or_dash(h.taken_share)} %",
                                h.done,
                                h.no_help,
                                h.not_reachable,
                                h.declined,
                                h.open,
                            ],
                            header=f"{h.label} ({h.organisation})" if h.organisation else h.label,
                        )
                        for h in holders
                    ],
                    id=key,
                    empty=_("Aucune mise en relation sur la période."),
                ),
            )
            for key, title, who, holders in (
                ("organisations", _("Par organisation"), _("Organisation"), self.organisations),
                ("antennas", _("Par antenne"), _("Antenne"), self.antennas),
            )
        ]

    def outcome_chart(self):
        return bar_chart(
            _("Issue des demandes de la période"),
            [(label, [count]) for _status, label, count, _share in self.outcomes],
            [_("Demandes")],
        )


OUTCOME_FIELDS = [s.value for s in OUTCOMES]
HOLDER_COUNTS = ["matches", "transmitted", "taken", "done", "no_help", "not_reachable", "declined", "open"]


def network(scope, form, computed_at=None):
    """The network's figures for the period `form` chose (a valid FiltersForm), in scope, from the
    figures computed at `computed_at` (steering.facts)."""
    period, previous = form.period, form.period.previous()
    now, before = span_q(period), span_q(previous)
    sums = {}
    for name, within in (("now", now), ("before", before)):
        for key in ("requests", "transmitted", "taken"):
            sums[f"{name}_{key}"] = Coalesce(Sum(key, filter=within), 0)
    for key in OUTCOME_FIELDS:
        sums[f"now_{key}"] = Coalesce(Sum(key, filter=now), 0)
    totals = facts.cells(RequestFact, scope, form).filter(now | before).aggregate(**sums)
    current = Totals(totals["now_requests"], totals["now_transmitted"], totals["now_taken"])
    before_totals = Totals(totals["before_requests"], totals["before_transmitted"], totals["before_taken"])
    outcomes = [
        (s.value, s.label, totals[f"now_{s.value}"], percent(totals[f"now_{s.value}"], current.requests))
        for s in OUTCOMES
    ]

    matches = facts.cells(MatchFact, scope, form).filter(now)

    def holders(group, label_field, organisation_field=None):
        fields = [group, label_field] + ([organisation_field] if organisation_field else [])
        rows = matches.values(*fields).annotate(**{f"n_{k}": Sum(k) for k in HOLDER_COUNTS}).order_by()
        found = [
            Holder(
                row[label_field] or _("Sans antenne"),
                (row[organisation_field] or "") if organisation_field else "",
                **{k: row[f"n_{k}"] for k in HOLDER_COUNTS},
            )
            for row in rows
        ]
        return sorted(found, key=lambda h: (h.organisation, str(h.label)))

    organisations = holders("organisation_id", "organisation__name")
    antennas = holders("antenna_id", "antenna__name", "antenna__organisation__name")
    return NetworkFigures(
        period, previous, current, before_totals, outcomes, organisations, antennas, computed_at
    )
