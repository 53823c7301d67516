"""Read INSEE's SIRENE stock files (StockUniteLegale, StockEtablissement) into the registry.

Columns are mapped by name, never by position: INSEE adds columns without notice.
Unknown columns are ignored; a file missing a column we use is refused whole.
Files are streamed (plain CSV or the zipped CSV INSEE publishes, read in place)
and written in batches of upserts, so a re-import of a newer stock updates rows.

A malformed row (wrong number of fields, bad date, invalid SIREN/SIRET check
digit, unknown state...) is reported and skipped as a whole; the rest imports.
Fields INSEE hides for partially diffusible units hold the literal "[ND]": they
are stored as empty strings.
"""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from stdnum.fr import siren as siren_checker
from stdnum.fr import siret as siret_checker
from tqdm import tqdm

from tremplin.registry.bulk import Upsert, update_by_pk
from tremplin.registry.headcount import HEADCOUNT_BRACKETS
from tremplin.registry.models import Commune, Company, Departement, Diffusion, Establishment
from tremplin.registry.signals import registry_imported

# Full headers as INSEE publishes them (December 2025 onwards). Only used to
# write files (demo data, tests): reading never relies on this order.
UNITE_LEGALE_COLUMNS = [
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
]

ETABLISSEMENT_COLUMNS = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
]

# The columns we read; a file without one of them is refused.
UNITE_LEGALE_REQUIRED = [
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "prenom1UniteLegale",
    "prenomUsuelUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "categorieEntreprise",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
]
ETABLISSEMENT_REQUIRED = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "etablissementSiege",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
]

# Read when present: stock files before December 2025 have no NAF 2025 column.
UNITE_LEGALE_OPTIONAL = ["activitePrincipaleNAF25UniteLegale"]
ETABLISSEMENT_OPTIONAL = ["indiceRepetitionEtablissement"]

NOT_DIFFUSED = "[ND]"
NAF_REV2 = "NAFRev2"
# "N" (non diffusible) was replaced by "P" in 2023; both hide the same fields.
DIFFUSION_STATUSES = {"O": Diffusion.PUBLIC, "P": Diffusion.PARTIAL, "N": Diffusion.PARTIAL}
BOOLEANS = {"true": True, "false": False}
COMPANY_STATES = frozenset(Company.State.values)
ESTABLISHMENT_STATES = frozenset(Establishment.State.values)
STREET_TYPES = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CRS": "COURS",
    "FG": "FAUBOURG",
    "HAM": "HAMEAU",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "PL": "PLACE",
    "PRO": "PROMENADE",
    "QU": "QUAI",
    "QUA": "QUARTIER",
    "RTE": "ROUTE",
    "SQ": "SQUARE",
    "ZA": "ZONE ARTISANALE",
    "ZI": "ZONE INDUSTRIELLE",
}
SIRENE_TIMEZONE = ZoneInfo("Europe/Paris")  # INSEE's timestamps are local time without offset
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# C0 controls but the tab, and DEL: a NUL byte stored in a name breaks exports and PostgreSQL text.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
DEFAULT_BATCH_SIZE = 5000
KEPT_ERRORS = 1000  # errors kept in memory for the summary; the error file gets them all

# Columns the stock file owns. The head office's location is written by the
# establishment import, so re-importing legal units never clears it.
COMPANY_FIELDS = [
    "siren",
    "diffusion",
    "created_on",
    "acronym",
    "last_name",
    "first_name",
    "denomination",
    "headcount_bracket",
    "headcount_year",
    "category",
    "state",
    "legal_form",
    "naf_code",
    "naf_nomenclature",
    "naf2025_code",
    "head_office_nic",
    "last_processed_at",
]
COMPANY_INSERT_DEFAULTS = {"head_office_postal_code": "", "head_office_commune_code": "", "departement": None}
HEAD_OFFICE_FIELDS = ["head_office_postal_code", "head_office_commune_code", "departement"]
ESTABLISHMENT_FIELDS = [
    "siret",
    "company",
    "nic",
    "diffusion",
    "is_head_office",
    "state",
    "created_on",
    "sign_name",
    "street",
    "postal_code",
    "commune_code",
    "commune_name",
    "naf_code",
    "headcount_bracket",
]


class SireneFileError(Exception):
    """The whole file is refused (unreadable, or a required column is missing)."""


class RowRejected(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RowError:
    line: int
    identifier: str
    code: str
    message: str


@dataclass
class ImportReport:
    label: str
    file_name: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)

    def add_error(self, error: RowError):
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)

    def summary(self):
        return (
            f"{self.label} : {self.rows_read} lignes lues, {self.created} créées, "
            f"{self.updated} mises à jour, {self.rejected} rejetées."
        )


# --- Reading files -------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying binary stream, for the progress bar."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


def _first_control_character(row):
    """(position, character) of the first control character of a row (NUL, ESC, DEL...), else None."""
    for position, value in enumerate(row):
        found = CONTROL_CHARACTER.search(value)
        if found:
            return position, found.group()
    return None


@contextmanager
def open_sirene_file(path):
    """Yield (text stream, byte counter, total bytes) for a plain or zipped CSV file.

    A zip is read in place (never extracted to disk); it must hold one CSV file.
    """
    path = Path(path)
    if not path.exists():
        raise SireneFileError(f"Fichier introuvable : {path}")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise SireneFileError(
                    f"L'archive {path.name} doit contenir un seul fichier CSV ({len(members)} trouvés)."
                )
            try:
                with archive.open(members[0]) as raw:
                    yield from _text_stream(raw, members[0].file_size)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise SireneFileError(
                    f"L'archive {path.name} est endommagée : sa lecture s'est arrêtée en cours de route ({exc}). "
                    "Les lots déjà lus sont importés ; relancez l'import avec une archive complète "
                    "(il met à jour sans créer de doublon)."
                ) from None
    elif _starts_like_a_zip(path):
        # A zip cut short (interrupted download) has lost its central directory: is_zipfile() says no,
        # and read as CSV it would be reported as a file with every column missing.
        raise SireneFileError(
            f"L'archive {path.name} est endommagée ou incomplète (téléchargement interrompu ?) : "
            "téléchargez-la de nouveau. Aucune ligne n'a été importée."
        )
    else:
        with path.open("rb") as raw:
            yield from _text_stream(raw, path.stat().st_size)


def _starts_like_a_zip(path):
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _text_stream(raw, total):
    counter = _CountingReader(raw)
    # utf-8-sig: tolerate a byte-order mark, which spreadsheet tools add when re-saving.
    stream = io.TextIOWrapper(
        io.BufferedReader(counter, 1 << 20), encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    try:
        yield stream, counter, total
    finally:
        stream.detach()


def clean(value):
    value = value.strip()
    return "" if value == NOT_DIFFUSED else value


def fit(value, max_length):
    return value[:max_length]


def parse_date(value, column):
    if not value:
        return None
    if DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RowRejected("bad_date", f"{column} invalide : « {value} » (format attendu AAAA-MM-JJ)")


def parse_timestamp(value):
    """dateDernierTraitement*, e.g. 2024-03-22T14:27:37.000; informative, so never a reason to reject."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=SIRENE_TIMEZONE)
    except ValueError:
        return None


def check_siren(value, checksum=True):
    if not (len(value) == 9 and value.isdigit()):
        raise RowRejected("bad_siren", f"SIREN invalide : « {value} » (9 chiffres attendus)")
    if checksum and not siren_checker.is_valid(value):
        raise RowRejected("bad_checksum", f"SIREN invalide : « {value} » (clé de contrôle incorrecte)")
    return value


def check_siret(value, siren, nic):
    if not (len(value) == 14 and value.isdigit()):
        raise RowRejected("bad_siret", f"SIRET invalide : « {value} » (14 chiffres attendus)")
    if not siret_checker.is_valid(value):
        raise RowRejected("bad_checksum", f"SIRET invalide : « {value} » (clé de contrôle incorrecte)")
    if value != siren + nic:
        raise RowRejected(
            "bad_siret", f"SIRET « {value} » incohérent avec le SIREN « {siren} » et le NIC « {nic} »"
        )
    return value


def parse_choice(value, choices, column, code="unknown_value"):
    if value not in choices:
        raise RowRejected(code, f"{column} inconnu : « {value} »")
    return choices[value] if isinstance(choices, dict) else value


def parse_headcount(value, column):
    if value and value not in HEADCOUNT_BRACKETS:
        raise RowRejected("unknown_value", f"{column} inconnue : « {value} »")
    return value


def parse_naf(code, nomenclature, column):
    if len(code) > 6:
        raise RowRejected("bad_naf", f"{column} invalide : « {code} »")
    return code if nomenclature == NAF_REV2 else ""


def _digits(value, length, column, code):
    if value and not (len(value) == length and value.isdigit()):
        raise RowRejected(code, f"{column} invalide : « {value} »")
    return value


def parse_legal_unit(get, has):
    """Field values for Company from one StockUniteLegale row; raise RowRejected if malformed."""
    siren = check_siren(get("siren"))
    year = get("anneeEffectifsUniteLegale")
    nomenclature = get("nomenclatureActivitePrincipaleUniteLegale")
    naf2025 = get("activitePrincipaleNAF25UniteLegale") if has("activitePrincipaleNAF25UniteLegale") else ""
    return {
        "siren": siren,
        "diffusion": parse_choice(
            get("statutDiffusionUniteLegale"), DIFFUSION_STATUSES, "statutDiffusionUniteLegale"
        ),
        "created_on": parse_date(get("dateCreationUniteLegale"), "dateCreationUniteLegale"),
        "acronym": fit(get("sigleUniteLegale"), 100),
        "last_name": fit(get("nomUniteLegale") or get("nomUsageUniteLegale"), 100),
        "first_name": fit(get("prenomUsuelUniteLegale") or get("prenom1UniteLegale"), 100),
        "denomination": fit(get("denominationUniteLegale") or get("denominationUsuelle1UniteLegale"), 255),
        "headcount_bracket": parse_headcount(
            get("trancheEffectifsUniteLegale"), "trancheEffectifsUniteLegale"
        ),
        "headcount_year": int(_digits(year, 4, "anneeEffectifsUniteLegale", "bad_year")) if year else None,
        "category": fit(get("categorieEntreprise"), 3),
        "state": parse_choice(
            get("etatAdministratifUniteLegale"),
            COMPANY_STATES,
            "etatAdministratifUniteLegale",
            code="unknown_state",
        ),
        "legal_form": _digits(
            get("categorieJuridiqueUniteLegale"), 4, "categorieJuridiqueUniteLegale", "bad_legal_form"
        ),
        "naf_code": parse_naf(
            get("activitePrincipaleUniteLegale"), nomenclature, "activitePrincipaleUniteLegale"
        ),
        "naf_nomenclature": fit(nomenclature, 8),
        "naf2025_code": parse_naf(naf2025, NAF_REV2, "activitePrincipaleNAF25UniteLegale"),
        "head_office_nic": _digits(get("nicSiegeUniteLegale"), 5, "nicSiegeUniteLegale", "bad_nic"),
        "last_processed_at": parse_timestamp(get("dateDernierTraitementUniteLegale")),
    }


def street_of(get, has):
    street_type = get("typeVoieEtablissement")
    parts = [
        get("numeroVoieEtablissement"),
        get("indiceRepetitionEtablissement") if has("indiceRepetitionEtablissement") else "",
        STREET_TYPES.get(street_type, street_type),
        get("libelleVoieEtablissement"),
    ]
    return fit(" ".join(p for p in parts if p), 255)


def parse_establishment(get, has):
    """Field values for Establishment (plus "siren", the company) from one StockEtablissement row."""
    siren = check_siren(get("siren"), checksum=False)  # the SIRET check below covers the SIREN's
    nic = get("nic")
    if not (len(nic) == 5 and nic.isdigit()):
        raise RowRejected("bad_siret", f"NIC invalide : « {nic} » (5 chiffres attendus)")
    return {
        "siren": siren,
        "siret": check_siret(get("siret"), siren, nic),
        "nic": nic,
        "diffusion": parse_choice(
            get("statutDiffusionEtablissement"), DIFFUSION_STATUSES, "statutDiffusionEtablissement"
        ),
        "is_head_office": parse_choice(get("etablissementSiege"), BOOLEANS, "etablissementSiege"),
        "state": parse_choice(
            get("etatAdministratifEtablissement"),
            ESTABLISHMENT_STATES,
            "etatAdministratifEtablissement",
            code="unknown_state",
        ),
        "created_on": parse_date(get("dateCreationEtablissement"), "dateCreationEtablissement"),
        "sign_name": fit(get("enseigne1Etablissement") or get("denominationUsuelleEtablissement"), 100),
        "street": street_of(get, has),
        "postal_code": _digits(
            get("codePostalEtablissement"), 5, "codePostalEtablissement", "bad_postal_code"
        ),
        "commune_code": fit(get("codeCommuneEtablissement"), 5),
        "commune_name": fit(get("libelleCommuneEtablissement"), 100),
        "naf_code": parse_naf(
            get("activitePrincipaleEtablissement"),
            get("nomenclatureActivitePrincipaleEtablissement"),
            "activitePrincipaleEtablissement",
        ),
        "headcount_bracket": parse_headcount(
            get("trancheEffectifsEtablissement"), "trancheEffectifsEtablissement"
        ),
    }


# --- Geography -----------------------------------------------------------------------


def departement_from_postal_code(postal_code):
    """Best guess from a postal code alone: 97x overseas, 20xxx split between 2A and 2B."""
    if not (len(postal_code) == 5 and postal_code.isdigit()):
        return None
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        # Corse-du-Sud's postal codes run 20000-20199, Haute-Corse's 20200 and up.
        return "2A" if int(postal_code) < 20200 else "2B"
    return postal_code[:2]


class Geography:
    """Commune code / postal code -> département code, held in memory for the whole import."""

    def __init__(self):
        self.departements = set(Departement.objects.values_list("code", flat=True))
        self.by_commune = dict(Commune.objects.values_list("code", "departement_id"))
        by_postal_code = {}
        for departement, postal_codes in Commune.objects.values_list("departement_id", "postal_codes"):
            for postal_code in postal_codes:
                by_postal_code.setdefault(postal_code, set()).add(departement)
        self.by_postal_code = {pc: deps.pop() for pc, deps in by_postal_code.items() if len(deps) == 1}

    def departement_for(self, commune_code, postal_code):
        if commune_code in self.by_commune:
            return self.by_commune[commune_code]
        candidates = [self.by_postal_code.get(postal_code), departement_from_postal_code(postal_code)]
        if len(commune_code) == 5 and not commune_code.startswith("20"):  # old Corsican codes are ambiguous
            candidates.insert(0, commune_code[:3] if commune_code.startswith("97") else commune_code[:2])
        return next((c for c in candidates if c in self.departements), None)


# --- Importing -----------------------------------------------------------------------


@dataclass
class _FileSpec:
    label: str
    required: list
    optional: list
    parse: Callable
    flush: Callable


def _flush_legal_units(batch, report, on_error, context):
    if "upsert" not in context:
        context["upsert"] = Upsert(
            Company, COMPANY_FIELDS, "siren", COMPANY_FIELDS[1:], defaults=COMPANY_INSERT_DEFAULTS
        )
    companies = {}
    for _line, record in batch:
        companies[record["siren"]] = record  # a repeated SIREN: the last row wins
    with transaction.atomic():
        existing = set(Company.objects.filter(siren__in=list(companies)).values_list("siren", flat=True))
        context["upsert"].run(list(companies.values()))
    created = len(companies.keys() - existing)
    report.created += created
    report.updated += len(batch) - created


def _flush_establishments(batch, report, on_error, context):
    if "upsert" not in context:
        context["upsert"] = Upsert(Establishment, ESTABLISHMENT_FIELDS, "siret", ESTABLISHMENT_FIELDS[1:])
        context["geography"] = Geography()
    geography = context["geography"]
    with transaction.atomic():
        companies = {
            siren: (pk, nic)
            for siren, pk, nic in Company.objects.filter(
                siren__in=list({record["siren"] for _line, record in batch})
            ).values_list("siren", "pk", "head_office_nic")
        }
        establishments = {}
        head_offices = {}
        kept_rows = 0
        for line, record in batch:
            if record["siren"] not in companies:
                on_error(
                    RowError(
                        line, record["siret"], "unknown_company", f"unité légale inconnue : {record['siren']}"
                    )
                )
                continue
            kept_rows += 1
            company_pk, head_office_nic = companies[record["siren"]]
            record["company"] = company_pk
            establishments[record["siret"]] = record
            if record["is_head_office"] and head_office_nic in ("", record["nic"]):
                head_offices[company_pk] = (
                    record["postal_code"],
                    record["commune_code"],
                    geography.departement_for(record["commune_code"], record["postal_code"]),
                    company_pk,
                )
        existing = set(
            Establishment.objects.filter(siret__in=list(establishments)).values_list("siret", flat=True)
        )
        context["upsert"].run(list(establishments.values()))
        update_by_pk(Company, HEAD_OFFICE_FIELDS, list(head_offices.values()))
    created = len(establishments.keys() - existing)
    report.created += created
    report.updated += kept_rows - created


LEGAL_UNITS = _FileSpec(
    "Unités légales", UNITE_LEGALE_REQUIRED, UNITE_LEGALE_OPTIONAL, parse_legal_unit, _flush_legal_units
)
ESTABLISHMENTS = _FileSpec(
    "Établissements",
    ETABLISSEMENT_REQUIRED,
    ETABLISSEMENT_OPTIONAL,
    parse_establishment,
    _flush_establishments,
)


class _Row:
    """The used columns of one CSV row by name, stripped, with "[ND]" already turned into ""."""

    __slots__ = ("values",)

    def __init__(self, row, positions):
        self.values = {name: "" if (v := row[i].strip()) == NOT_DIFFUSED else v for name, i in positions}

    def get(self, name):
        return self.values[name]

    def has(self, name):
        return name in self.values


def has_undecodable_bytes(row):
    # The stream decodes with surrogateescape: invalid UTF-8 bytes become lone
    # surrogates, which cannot be encoded back. Rejecting the row beats failing the file.
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _identifier_of(row, index):
    for column in ("siret", "siren"):
        position = index.get(column)
        if position is not None and position < len(row):
            return row[position].strip()
    return ""


def _import_file(spec, path, *, batch_size, progress, error_sink):
    report = ImportReport(spec.label, Path(path).name)

    def on_error(error):
        report.add_error(error)
        if error_sink is not None:
            error_sink(report.file_name, error)

    context = {}
    with open_sirene_file(path) as (stream, counter, total):
        reader = csv.reader(stream)
        try:
            header = next(reader)
        except StopIteration:
            raise SireneFileError(f"{spec.label} : le fichier {report.file_name} est vide.") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SireneFileError(
                f"{spec.label} : en-tête illisible dans {report.file_name} ({exc})."
            ) from None
        columns = [name.strip() for name in header]
        missing = [name for name in spec.required if name not in columns]
        if missing:
            raise SireneFileError(
                f"{spec.label} : fichier {report.file_name} refusé, colonne(s) obligatoire(s) absente(s) : "
                f"{', '.join(missing)}. Aucune ligne n'a été importée."
            )
        index = {}
        for position, name in enumerate(columns):
            index.setdefault(name, position)
        width = len(columns)
        positions = [(name, index[name]) for name in spec.required + spec.optional if name in index]
        bar = tqdm(total=total, unit="o", unit_scale=True, desc=spec.label, disable=not progress, leave=False)
        batch = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                report.rows_read += 1
                on_error(RowError(reader.line_num, "", "unreadable_row", f"ligne illisible ({exc})"))
                continue
            if not row:
                continue
            report.rows_read += 1
            line = reader.line_num
            if len(row) != width:
                on_error(
                    RowError(
                        line,
                        _identifier_of(row, index),
                        "truncated_row",
                        f"ligne tronquée ou mal formée : {len(row)} champs au lieu de {width}",
                    )
                )
                continue
            control = _first_control_character(row)
            if control is not None:
                position, character = control
                message = (
                    f"caractère de contrôle interdit (code {ord(character):#04x}) "
                    f"dans la colonne {columns[position]}"
                )
                on_error(RowError(line, _identifier_of(row, index), "control_character", message))
                continue
            try:
                if has_undecodable_bytes(row):
                    raise RowRejected("bad_encoding", "caractères invalides (fichier attendu en UTF-8)")
                fields = _Row(row, positions)
                parsed = spec.parse(fields.get, fields.has)
            except RowRejected as exc:
                on_error(RowError(line, _identifier_of(row, index), exc.code, exc.message))
                continue
            batch.append((line, parsed))
            if len(batch) >= batch_size:
                spec.flush(batch, report, on_error, context)
                batch = []
                bar.update(counter.bytes_read - bar.n)
        if batch:
            spec.flush(batch, report, on_error, context)
        bar.update(counter.bytes_read - bar.n)
        bar.close()
    registry_imported.send(sender=spec.label, report=report)
    return report


def import_legal_units(path, *, batch_size=DEFAULT_BATCH_SIZE, progress=False, error_sink=None):
    """Import a StockUniteLegale file; raise SireneFileError if the file is refused."""
    return _import_file(LEGAL_UNITS, path, batch_size=batch_size, progress=progress, error_sink=error_sink)


def import_establishments(path, *, batch_size=DEFAULT_BATCH_SIZE, progress=False, error_sink=None):
    """Import a StockEtablissement file (legal units first); raise SireneFileError if refused."""
    return _import_file(ESTABLISHMENTS, path, batch_size=batch_size, progress=progress, error_sink=error_sink)
