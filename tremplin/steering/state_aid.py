"""The granted vouchers for the national de minimis register ("plateforme des aides d'État").

Décret n° 2025-1361 (26 December 2025) makes the "plateforme des aides d'État" the national register of
de minimis aid, to be filled by State administrations and operators from 1 January 2026 with, for each
aid, the data of Regulation (EU) 2023/2831 art. 6, a unique aid id given by the granting body, the funder
if it is another body, and the de minimis regulation used. One row per voucher granted (approved), expired
ones aside (their right lapsed unused: see vouchers.deminimis); the format, field by field, and its
sources are in docs/state-aid-register.md. The platform's own import format was not found published: the
columns are our proposal.
"""

import csv
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.registry.models import NafCode
from tremplin.steering import tables
from tremplin.vouchers.deminimis import REGULATION
from tremplin.vouchers.models import COUNTED_VOUCHERS, Application, State

DEMO_GRANTOR_SIRET = "13000000300017"  # made up (its check digit is valid); the same as the open data's
INSTRUMENT = "subvention"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# (column, header as written in the file) in the file's order.
COLUMNS = [
    "identifiant_aide",
    "reference_dossier",
    "siren_beneficiaire",
    "siret_beneficiaire",
    "nom_beneficiaire",
    "montant_aide_eur",
    "equivalent_subvention_brut_eur",
    "date_octroi",
    "nom_autorite_octroi",
    "siret_autorite_octroi",
    "instrument_aide",
    "code_nace",
    "section_nace",
    "code_naf",
    "reglement_de_minimis",
    "dispositif",
    "etat_dossier",
    "montant_verse_eur",
]


@dataclass(frozen=True)
class Grantor:
    name: str
    siret: str


def grantor():
    """The granting authority: STATE_AID_GRANTOR_*, else the open data's GRANTOR_*, else the demo's."""
    name = settings.STATE_AID_GRANTOR_NAME or getattr(settings, "GRANTOR_NAME", "") or settings.PAYER_NAME
    siret = settings.STATE_AID_GRANTOR_SIRET or getattr(settings, "GRANTOR_SIRET", "") or DEMO_GRANTOR_SIRET
    return Grantor(name=name, siret=siret)


def euros(cents):
    """Integer cents as a decimal amount in euros with a point: 250000 -> "2500.00" (never a float)."""
    return f"{Decimal(int(cents)) / 100:.2f}"


def nace(naf_code):
    """The NACE Rev. 2 class of a NAF rev. 2 sub-class: "62.01Z" -> "62.01" (NAF adds a letter to NACE)."""
    return (naf_code or "")[:5]


def neutralised(text):
    """A text a spreadsheet would read as a formula starts with an apostrophe instead."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def aid_id(application):
    """Our stable unique aid id: TN-<scheme>-<year of the file>-<number>, e.g. TN-cheque-numerique-2026-000042."""
    return f"TN-{application.scheme.slug}-{application.reference.removeprefix('TN-')}"


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def granted(since=None, until=None):
    """The vouchers the register lists (granted, expired ones aside), by grant date then number."""
    qs = Application.objects.filter(state__in=COUNTED_VOUCHERS, decided_at__isnull=False)
    if since:
        qs = qs.filter(decided_at__gte=_day_start(since))
    if until:
        qs = qs.filter(decided_at__lt=_day_start(until + timedelta(days=1)))
    return qs


def rows(since=None, until=None):
    """The register's rows, as dicts of COLUMNS, streamed from the database."""
    return _rows(granted(since, until).order_by("decided_at", "pk"))


def latest(limit=10):
    """The last `limit` rows of the register (most recent grant first), for the page's preview."""
    return list(_rows(granted().order_by("-decided_at", "-pk")[:limit]))


def latest_table():
    """The page's preview of the register: the 10 last rows (`latest`) as a table."""
    return tables.Table(
        _("Les 10 dernières lignes du fichier, la plus récente en premier"),
        [
            _("Identifiant de l'aide"),
            _("Bénéficiaire"),
            _("SIRET"),
            _("Montant (€)"),
            _("Date d'octroi"),
            _("Code NACE"),
            _("État du dossier"),
        ],
        [
            tables.Row(
                [
                    row["identifiant_aide"],
                    row["nom_beneficiaire"] or row["siren_beneficiaire"],
                    row["siret_beneficiaire"],
                    row["montant_aide_eur"],
                    row["date_octroi"],
                    row["code_nace"],
                    row["etat_dossier"],
                ]
            )
            for row in latest(10)
        ],
    )


def _rows(queryset):
    authority = grantor()
    sections = dict(NafCode.objects.values_list("code", "section_id"))
    states = dict(State.choices)
    qs = (
        queryset
        .select_related("company", "establishment", "scheme")
        .only(
            "pk", "created_at", "decided_at", "amount_cents", "reserved_cents", "state",
            "company__siren", "company__denomination", "company__first_name", "company__last_name",
            "company__diffusion", "company__naf_code", "company__head_office_nic",
            "establishment__siret", "scheme__slug", "scheme__name",
        )
    )  # fmt: skip
    for application in qs.iterator(chunk_size=2000):
        company = application.company
        if application.establishment_id:
            siret = application.establishment.siret
        else:
            siret = company.siren + company.head_office_nic if company.head_office_nic else ""
        paid = application.reserved_cents if application.state == State.PAID else None
        yield {
            "identifiant_aide": aid_id(application),
            "reference_dossier": application.reference,
            "siren_beneficiaire": company.siren,
            "siret_beneficiaire": siret,
            "nom_beneficiaire": neutralised(_beneficiary_name(company)),
            "montant_aide_eur": euros(application.amount_cents or 0),
            "equivalent_subvention_brut_eur": euros(application.amount_cents or 0),
            "date_octroi": timezone.localdate(application.decided_at).isoformat(),
            "nom_autorite_octroi": neutralised(authority.name),
            "siret_autorite_octroi": authority.siret,
            "instrument_aide": INSTRUMENT,
            "code_nace": nace(company.naf_code),
            "section_nace": sections.get(company.naf_code, ""),
            "code_naf": company.naf_code,
            "reglement_de_minimis": REGULATION,
            "dispositif": neutralised(application.scheme.name),
            "etat_dossier": str(states[application.state]),
            "montant_verse_eur": euros(paid) if paid is not None else "",
        }


def _beneficiary_name(company):
    """The registry's name; none for a sole trader whose name SIRENE does not disclose (SIREN identifies)."""
    if company.is_partially_hidden:
        return ""
    if company.denomination:
        return company.denomination
    return " ".join(p for p in (company.first_name, company.last_name) if p)


class _Echo:
    def write(self, value):
        return value


def csv_lines(since=None, until=None):
    """The CSV file line by line (UTF-8, comma, decimal point, header first), for streaming."""
    writer = csv.DictWriter(_Echo(), fieldnames=COLUMNS, lineterminator="\r\n")
    yield writer.writeheader()
    for row in rows(since, until):
        yield writer.writerow(row)


def write_csv(stream, since=None, until=None):
    for line in csv_lines(since, until):
        stream.write(line)


def summary():
    """What the page says of the register: how many aids, how much, the last grant date."""
    figures = granted().aggregate(count=Count("pk"), total=Sum("amount_cents"))
    last = granted().order_by("-decided_at").values_list("decided_at", flat=True).first()
    return {
        "count": figures["count"],
        "total_cents": figures["total"] or 0,
        "last_granted_on": timezone.localdate(last) if last else None,
    }


def stored_summary(refreshed):
    """The summary as the last refresh of the steering figures stored it (steering.stock_facts, in the record
    of `refresh.last_refresh`): counting every granted voucher of a national programme is too long for each
    view of the page."""
    return {
        "count": refreshed.aids_count,
        "total_cents": refreshed.aids_total_cents,
        "last_granted_on": refreshed.aids_last_granted_on,
    }
