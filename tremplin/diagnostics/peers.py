"""Position among peers, from pre-aggregated score histograms (never a scan of diagnostics).

Groups, most specific first: NAF section × headcount band × région, then section × band, then
section, then every company. A group is shown only from MIN_GROUP diagnostics up (privacy).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tremplin.diagnostics.models import Diagnostic, PeerBucket, PeerGroup, State

MIN_GROUP = 20
ALL = "all"

BANDS = {
    "0": _("0 salarié"),
    "1-9": _("1 à 9 salariés"),
    "10-49": _("10 à 49 salariés"),
    "50+": _("50 salariés et plus"),
}

# NAF rev. 2 sections by division (the first two digits of the code).
SECTION_DIVISIONS = [
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
]


def section_of(naf_code):
    """'62.01Z' -> 'J'; '' when the code is missing or not a NAF rev. 2 code."""
    head = (naf_code or "")[:2]
    if not head.isdigit():
        return ""
    division = int(head)
    return next((section for section, low, high in SECTION_DIVISIONS if low <= division <= high), "")


def band_of(bracket):
    """SIRENE headcount bracket -> our four bands. An unknown bracket is counted as no employee."""
    if bracket in ("", "NN", "00"):
        return "0"
    if bracket in ("01", "02", "03"):
        return "1-9"
    if bracket in ("11", "12"):
        return "10-49"
    return "50+"


def group_keys(section, band, region):
    """Keys of the groups a diagnostic counts in, most specific first."""
    keys = []
    if section:
        if region:
            keys.append(f"s:{section}|b:{band}|r:{region}")
        keys.append(f"s:{section}|b:{band}")
        keys.append(f"s:{section}")
    keys.append(ALL)
    return keys


def peer_fields(company):
    """The frozen peer-group fields of a diagnostic of this company."""
    region = company.departement.region_id if company.departement_id else ""
    return {
        "peer_section": section_of(company.naf_code),
        "peer_band": band_of(company.headcount_bracket),
        "peer_region": region or "",
    }


def keys_of(diagnostic):
    return group_keys(diagnostic.peer_section, diagnostic.peer_band, diagnostic.peer_region)


# --- writing ------------------------------------------------------------------------------------


def count_in(diagnostic):
    """Add a just-completed diagnostic to its groups; call inside the completing transaction.

    INSERT … ON CONFLICT DO UPDATE is one atomic statement on SQLite and PostgreSQL alike: two
    completions racing on a new group never lose a count nor fail on the unique constraint.
    """
    buckets = PeerBucket._meta.db_table
    groups = PeerGroup._meta.db_table
    with connection.cursor() as cursor:
        for key in keys_of(diagnostic):
            cursor.execute(
                f"INSERT INTO {buckets} (group_key, bucket, count) VALUES (%s, %s, 1) "
                f"ON CONFLICT (group_key, bucket) DO UPDATE SET count = {buckets}.count + 1",
                [key, diagnostic.score_bucket],
            )
            cursor.execute(
                f"INSERT INTO {groups} (key, total) VALUES (%s, 1) "
                f"ON CONFLICT (key) DO UPDATE SET total = {groups}.total + 1",
                [key],
            )


def rebuild():
    """Recompute every histogram from the completed diagnostics: one GROUP BY, then bulk inserts."""
    rows = (
        Diagnostic.objects.filter(state=State.COMPLETED)
        .values_list("peer_section", "peer_band", "peer_region", "score_bucket")
        .order_by()
        .annotate(n=Count("id"))
    )
    histograms = defaultdict(lambda: defaultdict(int))
    for section, band, region, bucket, n in rows:
        for key in group_keys(section, band, region):
            histograms[key][bucket] += n
    with transaction.atomic():
        PeerBucket.objects.all().delete()
        PeerGroup.objects.all().delete()
        PeerBucket.objects.bulk_create(
            (
                PeerBucket(group_key=key, bucket=bucket, count=count)
                for key, histogram in histograms.items()
                for bucket, count in histogram.items()
            ),
            batch_size=2000,
        )
        PeerGroup.objects.bulk_create(
            (PeerGroup(key=key, total=sum(h.values())) for key, h in histograms.items()), batch_size=2000
        )
    return len(histograms)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    key: str
    total: int
    percentile: int  # share of peers scoring lower, plus half of those in the same bucket
    median: int
    section: str
    band: str
    region: str

    @property
    def level(self):
        """Which criteria the group keeps: 'section_band_region', 'section_band', 'section' or 'all'."""
        if self.key == ALL:
            return "all"
        return {1: "section", 2: "section_band", 3: "section_band_region"}[self.key.count(":")]


def position(diagnostic):
    """Percentile and median in the most specific group of at least MIN_GROUP, or None. Two queries."""
    keys = keys_of(diagnostic)
    totals = dict(PeerGroup.objects.filter(key__in=keys).values_list("key", "total"))
    key = next((k for k in keys if totals.get(k, 0) >= MIN_GROUP), None)
    if key is None:
        return None
    histogram = PeerBucket.objects.filter(group_key=key).values_list("bucket", "count").order_by("bucket")
    total = totals[key]
    below = 0
    mine = 0
    median = None
    cumulative = 0
    for bucket, count in histogram:
        if bucket < diagnostic.score_bucket:
            below += count
        elif bucket == diagnostic.score_bucket:
            mine = count
        cumulative += count
        if median is None and cumulative * 2 >= total:
            median = bucket
    percentile = round(100 * (below + mine / 2) / total)
    return Position(
        key=key,
        total=total,
        percentile=percentile,
        median=median if median is not None else 0,
        section=diagnostic.peer_section,
        band=diagnostic.peer_band,
        region=diagnostic.peer_region,
    )
