"""Read INSEE's SIRENE stock files (StockUniteLegale, StockEtablissement) into the registry.

The files (CSV, the zipped CSV INSEE publishes, or its Parquet edition) are read
by DuckDB, which checks and reshapes every row in SQL and hands them over in
Arrow batches, so memory stays bounded whatever the file's size. The checked
rows go to a temporary staging table (PostgreSQL `COPY`, SQLite batched
inserts), then one set-based upsert per table writes only the rows that differ.

Columns are mapped by name, never by position: INSEE adds columns without notice.
Unknown columns are ignored; a file missing a column we use is refused whole.
Fields INSEE hides for partially diffusible units hold the literal "[ND]": they
are stored as empty strings.

Policy for malformed rows: a stock file is a snapshot, so by default it is all
or nothing. Every rejected row is reported (line, identifier, code, French
message) and, if there is any, nothing of the file is imported. `max_rejected`
tolerates up to that many rows with a bad value (SIREN, date, unknown state...):
they are reported and skipped, the rest imports. A structurally malformed file
(truncated or unreadable row, invalid UTF-8, missing column, damaged archive)
is always refused whole.
"""

import csv
import io
import os
import re
import tempfile
import threading
import zipfile
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from tqdm import tqdm

from tremplin.registry.bulk import EstablishmentMerge, LegalUnitMerge, StagingTable
from tremplin.registry.headcount import HEADCOUNT_BRACKETS
from tremplin.registry.models import Commune, Company, Departement, Establishment
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

# "N" (non diffusible) was replaced by "P" in 2023; both hide the same fields (stored as "P").
NOT_DIFFUSED = "[ND]"
NAF_REV2 = "NAFRev2"
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
SIRENE_TIMEZONE = "Europe/Paris"  # INSEE's timestamps are local time without offset
# C0 controls but the tab, and DEL: a NUL byte stored in a name breaks exports and PostgreSQL text.
CONTROL_CHARACTER = r"[\x00-\x08\x0a-\x1f\x7f]"
DEFAULT_BATCH_SIZE = 100_000
KEPT_ERRORS = 1000  # errors kept in memory for the summary; the error file gets them all
# DuckDB spills to disk beyond this: the import's memory does not grow with the file.
DUCKDB_MEMORY_LIMIT = "512MB"
# Rows DuckDB refuses while parsing (wrong number of fields, bad UTF-8...): the file is refused
# whole, so reporting the first ones is enough.
STRUCTURAL_REJECTS_KEPT = KEPT_ERRORS
PENDING_ERRORS = 100_000
STRUCTURAL_CODES = frozenset({"truncated_row", "unreadable_row", "bad_encoding"})


class SireneFileError(Exception):
    """The whole file is refused (unreadable, or a required column is missing)."""


class StockRejected(SireneFileError):
    """The file has malformed rows: they are in `report`, and nothing of the file was imported."""

    def __init__(self, report):
        self.report = report
        structural = any(error.code in STRUCTURAL_CODES for error in report.errors)
        reason = "il est mal formé" if structural else "des lignes ont des valeurs invalides"
        super().__init__(
            f"{report.label} : fichier {report.file_name} refusé, {reason} "
            f"({report.rejected} ligne(s) rejetée(s) sur {report.rows_read}). "
            "Aucune ligne n'a été importée : corrigez le fichier ou téléchargez-le de nouveau "
            "(le rapport --errors donne chaque ligne rejetée)."
        )


@dataclass
class RowError:
    line: int
    identifier: str
    code: str
    message: str


@dataclass
class ImportReport:
    """What one stock file did: rows compared with the registry as it was before the import."""

    label: str
    file_name: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0  # rows that differed, and were rewritten
    unchanged: int = 0  # rows identical to the registry's, left untouched
    ceased: int = 0  # among the updated: companies ceased, establishments closed since the last import
    rejected: int = 0
    errors: list = field(default_factory=list)

    def add_error(self, error: RowError):
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)

    def summary(self):
        return (
            f"{self.label} : {self.rows_read} lignes lues, {self.created} créées, "
            f"{self.updated} mises à jour (dont {self.ceased} cessations), {self.unchanged} inchangées, "
            f"{self.rejected} rejetées."
        )


# --- Opening files -------------------------------------------------------------------


@contextmanager
def open_sirene_file(path):
    """Yield a text stream over a plain or zipped CSV file.

    A zip is read in place (never extracted to disk); it must hold one CSV file.
    """
    with _csv_bytes(Path(path)) as raw:
        # utf-8-sig: tolerate a byte-order mark, which spreadsheet tools add when re-saving.
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        try:
            yield stream
        finally:
            stream.detach()


@contextmanager
def _csv_bytes(path):
    """Yield a binary stream over the CSV of `path` (a zip holding one CSV, or the CSV itself)."""
    if not path.exists():
        raise SireneFileError(f"Fichier introuvable : {path}")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = _only_csv(archive, path)
            try:
                with archive.open(member) as raw:
                    yield raw
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise _damaged(path, exc) from None
    elif _starts_with(path, b"PK\x03\x04"):
        # A zip cut short (interrupted download) has lost its central directory: is_zipfile() says no,
        # and read as CSV it would be reported as a file with every column missing.
        raise SireneFileError(
            f"L'archive {path.name} est endommagée ou incomplète (téléchargement interrompu ?) : "
            "téléchargez-la de nouveau. Aucune ligne n'a été importée."
        )
    else:
        with path.open("rb") as raw:
            yield raw


def _only_csv(archive, path):
    members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
    if len(members) != 1:
        raise SireneFileError(
            f"L'archive {path.name} doit contenir un seul fichier CSV ({len(members)} trouvés)."
        )
    return members[0]


def _damaged(path, exc):
    return SireneFileError(
        f"L'archive {path.name} est endommagée : sa lecture s'est arrêtée en cours de route ({exc}). "
        "Aucune ligne n'a été importée ; relancez l'import avec une archive complète."
    )


def _starts_with(path, magic):
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic


def is_parquet(path):
    return Path(path).suffix.lower() == ".parquet" or _starts_with(Path(path), b"PAR1")


class _ZipPipe:
    """Feeds the CSV inside a zip to DuckDB through a named pipe: nothing is extracted to disk."""

    def __init__(self, path, directory):
        self.path = path
        self.fifo = Path(tempfile.mkdtemp(dir=directory)) / "stock.csv"  # one per file of the import
        os.mkfifo(self.fifo)
        self.error = None
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def _feed(self):
        try:
            with _csv_bytes(self.path) as raw, self.fifo.open("wb") as pipe:
                while chunk := raw.read(1 << 20):
                    pipe.write(chunk)
        except SireneFileError as exc:
            self.error = exc
        except BrokenPipeError:
            pass  # DuckDB stopped reading (it failed): its own error is the one reported

    def close(self):
        if self.thread.is_alive():
            # Unblock a writer still waiting for DuckDB to open or to drain the pipe.
            with suppress(OSError):
                fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
                os.close(fd)
            self.thread.join(timeout=5)
        if self.error is not None:
            raise self.error


# --- Checking rows in SQL ------------------------------------------------------------


def _literal(text):
    return "'" + str(text).replace("'", "''") + "'"


def _in(values):
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def _digits(column, length):
    return f"regexp_full_match({column}, '[0-9]{{{length}}}')"


def luhn_sum(column, length):
    """SQL: the Luhn sum of a string of `length` digits (valid when it is a multiple of 10)."""
    return _luhn_sum_of(f"TRY_CAST({column} AS BIGINT)", length)


def _luhn_sum_of(number, length):
    """The Luhn sum of the `length` digits of an integer, in integer arithmetic: several times faster
    than cutting a string into characters, which counts over 44 million SIRETs."""
    terms = []
    for position in range(1, length + 1):
        digit = f"({number} // {10 ** (length - position)} % 10)"
        if (length - position) % 2:
            digit = f"(2 * {digit} - 9 * ({digit} // 5))"
        terms.append(digit)
    return f"({' + '.join(terms)})"


# The identifiers as integers (NULL unless all digits), computed once per row for the Luhn checks.
AS_NUMBERS = {"siren": "siren_number", "siret": "siret_number"}


def _luhn(number, length):
    return f"({_luhn_sum_of(number, length)} % 10 = 0)"


def _digit_sum(column, length):
    return " + ".join(f"(ascii(substr({column}, {p}, 1)) - 48)" for p in range(1, length + 1))


def _quoted(column):
    return "'« ' || " + column + " || ' »'"


@dataclass
class _Check:
    failed: str  # SQL condition, true when the row is rejected
    code: str
    message: str  # SQL expression


def _date_check(column):
    return _Check(
        f"{column} <> '' AND NOT ({_digits_date(column)} AND TRY_CAST({column} AS DATE) IS NOT NULL)",
        "bad_date",
        f"'{column} invalide : ' || {_quoted(column)} || ' (format attendu AAAA-MM-JJ)'",
    )


def _digits_date(column):
    return f"regexp_full_match({column}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"


def _choice_check(column, choices, code="unknown_value", word="inconnu"):
    return _Check(f"{column} NOT IN {_in(choices)}", code, f"'{column} {word} : ' || {_quoted(column)}")


def _headcount_check(column):
    return _Check(
        f"{column} <> '' AND {column} NOT IN {_in(HEADCOUNT_BRACKETS)}",
        "unknown_value",
        f"'{column} inconnue : ' || {_quoted(column)}",
    )


def _optional_digits_check(column, length, code):
    return _Check(
        f"{column} <> '' AND NOT {_digits(column, length)}",
        code,
        f"'{column} invalide : ' || {_quoted(column)}",
    )


def _naf_check(column):
    return _Check(f"length({column}) > 6", "bad_naf", f"'{column} invalide : ' || {_quoted(column)}")


def _siren_checks(column="siren", checksum=True):
    checks = [
        _Check(
            f"NOT {_digits(column, 9)}",
            "bad_siren",
            f"'SIREN invalide : ' || {_quoted(column)} || ' (9 chiffres attendus)'",
        )
    ]
    if checksum:
        checks.append(
            _Check(
                f"NOT {_luhn(AS_NUMBERS[column], 9)}",
                "bad_checksum",
                f"'SIREN invalide : ' || {_quoted(column)} || ' (clé de contrôle incorrecte)'",
            )
        )
    return checks


def _siret_checks():
    # stdnum's rule: Luhn over the 14 digits, except La Poste's establishments (digit sum divisible by 5),
    # and the SIREN's own key.
    la_poste = "(starts_with(siret, '356000000') AND siret <> '35600000000048')"
    valid = (
        f"(CASE WHEN {la_poste} THEN ({_digit_sum('siret', 14)}) % 5 = 0 ELSE {_luhn('siret_number', 14)} END"
        f" AND {_luhn('siret_number // 100000', 9)})"
    )
    return [
        _Check(
            "NOT regexp_full_match(nic, '[0-9]{5}')",
            "bad_siret",
            "'NIC invalide : ' || " + _quoted("nic") + " || ' (5 chiffres attendus)'",
        ),
        _Check(
            f"NOT {_digits('siret', 14)}",
            "bad_siret",
            f"'SIRET invalide : ' || {_quoted('siret')} || ' (14 chiffres attendus)'",
        ),
        _Check(
            f"NOT {valid}",
            "bad_checksum",
            f"'SIRET invalide : ' || {_quoted('siret')} || ' (clé de contrôle incorrecte)'",
        ),
        _Check(
            "siret <> siren || nic",
            "bad_siret",
            "'SIRET ' || "
            + _quoted("siret")
            + " || ' incohérent avec le SIREN ' || "
            + _quoted("siren")
            + " || ' et le NIC ' || "
            + _quoted("nic"),
        ),
    ]


def _timestamp(column, vendor):
    """dateDernierTraitement*, e.g. 2024-03-22T14:27:37.000, Paris time, as the database stores it in UTC.

    Informative, so an unreadable value is stored empty, never a reason to reject the row.
    """
    utc = f"timezone('UTC', timezone('{SIRENE_TIMEZONE}', TRY_CAST(nullif({column}, '') AS TIMESTAMP)))"
    offset = "+00:00" if vendor == "postgresql" else ""
    # Django writes SQLite datetimes without the fraction when it is zero: the same text compares equal.
    return (
        f"CASE WHEN microsecond({utc}) = 0 THEN strftime({utc}, '%Y-%m-%d %H:%M:%S{offset}') "
        f"ELSE strftime({utc}, '%Y-%m-%d %H:%M:%S.%f{offset}') END"
    )


def _or_else(first, second):
    return f"coalesce(nullif({first}, ''), {second})"


def _legal_unit_checks():
    return [
        *_siren_checks(),
        _choice_check("statutDiffusionUniteLegale", ["O", "P", "N"]),
        _date_check("dateCreationUniteLegale"),
        _headcount_check("trancheEffectifsUniteLegale"),
        _optional_digits_check("anneeEffectifsUniteLegale", 4, "bad_year"),
        _choice_check("etatAdministratifUniteLegale", Company.State.values, "unknown_state"),
        _optional_digits_check("categorieJuridiqueUniteLegale", 4, "bad_legal_form"),
        _naf_check("activitePrincipaleUniteLegale"),
        _naf_check("activitePrincipaleNAF25UniteLegale"),
        _optional_digits_check("nicSiegeUniteLegale", 5, "bad_nic"),
    ]


def _legal_unit_fields(vendor):
    """Company's columns from the checked row, as (column, SQL expression)."""
    return [
        ("siren", "siren"),
        (
            "diffusion",
            "CASE statutDiffusionUniteLegale WHEN 'N' THEN 'P' ELSE statutDiffusionUniteLegale END",
        ),
        ("created_on", "nullif(dateCreationUniteLegale, '')"),
        ("acronym", "left(sigleUniteLegale, 100)"),
        ("last_name", f"left({_or_else('nomUniteLegale', 'nomUsageUniteLegale')}, 100)"),
        ("first_name", f"left({_or_else('prenomUsuelUniteLegale', 'prenom1UniteLegale')}, 100)"),
        (
            "denomination",
            f"left({_or_else('denominationUniteLegale', 'denominationUsuelle1UniteLegale')}, 255)",
        ),
        ("headcount_bracket", "trancheEffectifsUniteLegale"),
        ("headcount_year", "TRY_CAST(nullif(anneeEffectifsUniteLegale, '') AS INTEGER)"),
        ("category", "left(categorieEntreprise, 3)"),
        ("state", "etatAdministratifUniteLegale"),
        ("legal_form", "categorieJuridiqueUniteLegale"),
        (
            "naf_code",
            f"CASE WHEN nomenclatureActivitePrincipaleUniteLegale = '{NAF_REV2}' "
            "THEN activitePrincipaleUniteLegale ELSE '' END",
        ),
        ("naf_nomenclature", "left(nomenclatureActivitePrincipaleUniteLegale, 8)"),
        ("naf2025_code", "activitePrincipaleNAF25UniteLegale"),
        ("head_office_nic", "nicSiegeUniteLegale"),
        ("last_processed_at", _timestamp("dateDernierTraitementUniteLegale", vendor)),
    ]


def _establishment_checks():
    return [
        *_siren_checks(checksum=False),  # the SIRET check covers the SIREN's key
        *_siret_checks(),
        _choice_check("statutDiffusionEtablissement", ["O", "P", "N"]),
        _choice_check("etablissementSiege", ["true", "false"]),
        _choice_check("etatAdministratifEtablissement", Establishment.State.values, "unknown_state"),
        _date_check("dateCreationEtablissement"),
        _optional_digits_check("codePostalEtablissement", 5, "bad_postal_code"),
        _naf_check("activitePrincipaleEtablissement"),
        _headcount_check("trancheEffectifsEtablissement"),
    ]


def _street():
    street_type = (
        "CASE typeVoieEtablissement "
        + " ".join(f"WHEN {_literal(short)} THEN {_literal(full)}" for short, full in STREET_TYPES.items())
        + " ELSE typeVoieEtablissement END"
    )
    parts = [
        "numeroVoieEtablissement",
        "indiceRepetitionEtablissement",
        street_type,
        "libelleVoieEtablissement",
    ]
    return "left(concat_ws(' ', " + ", ".join(f"nullif({p}, '')" for p in parts) + "), 255)"


def _departement(departements):
    """The head office's département: its commune's, else guessed from the codes (see Geography)."""
    known = _in(sorted(departements)) if departements else "(NULL)"
    from_commune = (
        "CASE WHEN length(codeCommuneEtablissement) = 5 AND NOT starts_with(codeCommuneEtablissement, '20') "
        "THEN CASE WHEN starts_with(codeCommuneEtablissement, '97') THEN left(codeCommuneEtablissement, 3) "
        "ELSE left(codeCommuneEtablissement, 2) END END"
    )
    postal = "codePostalEtablissement"
    from_postal_code = (
        f"CASE WHEN NOT {_digits(postal, 5)} THEN NULL WHEN starts_with({postal}, '97') THEN left({postal}, 3) "
        f"WHEN starts_with({postal}, '20') THEN CASE WHEN CAST({postal} AS INTEGER) < 20200 THEN '2A' ELSE '2B' END "
        f"ELSE left({postal}, 2) END"
    )
    return (
        f"coalesce(geo_commune.departement, CASE WHEN ({from_commune}) IN {known} THEN ({from_commune}) END, "
        f"geo_postal_code.departement, CASE WHEN ({from_postal_code}) IN {known} THEN ({from_postal_code}) END)"
    )


def _establishment_fields(departements):
    return [
        ("siren", "siren"),
        ("siret", "siret"),
        ("nic", "nic"),
        (
            "diffusion",
            "CASE statutDiffusionEtablissement WHEN 'N' THEN 'P' ELSE statutDiffusionEtablissement END",
        ),
        ("is_head_office", "etablissementSiege = 'true'"),
        ("state", "etatAdministratifEtablissement"),
        ("created_on", "nullif(dateCreationEtablissement, '')"),
        ("sign_name", f"left({_or_else('enseigne1Etablissement', 'denominationUsuelleEtablissement')}, 100)"),
        ("street", _street()),
        ("postal_code", "codePostalEtablissement"),
        ("commune_code", "left(codeCommuneEtablissement, 5)"),
        ("commune_name", "left(libelleCommuneEtablissement, 100)"),
        (
            "naf_code",
            f"CASE WHEN nomenclatureActivitePrincipaleEtablissement = '{NAF_REV2}' "
            "THEN activitePrincipaleEtablissement ELSE '' END",
        ),
        ("headcount_bracket", "trancheEffectifsEtablissement"),
        ("departement", _departement(departements)),
    ]


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
    """Commune code / postal code -> département code, from the reference tables.

    The import joins these lookups in DuckDB (see _departement); the rule, in order: the commune's
    département; else the commune code's prefix (not for the ambiguous old Corsican 20xxx codes); else
    the postal code when only one département uses it; else the postal code's prefix. A guess must be
    a known département.
    """

    def __init__(self):
        self.departements = set(Departement.objects.values_list("code", flat=True))
        self.by_commune = dict(Commune.objects.values_list("code", "departement_id"))
        by_postal_code = {}
        for departement, postal_codes in Commune.objects.values_list("departement_id", "postal_codes"):
            for postal_code in postal_codes:
                by_postal_code.setdefault(postal_code, set()).add(departement)
        self.by_postal_code = {code: deps.pop() for code, deps in by_postal_code.items() if len(deps) == 1}

    def register(self, con):
        """Make the lookups tables of a DuckDB connection: geo_commune, geo_postal_code (code, departement)."""
        schema = pa.schema([("code", pa.string()), ("departement", pa.string())])
        for name, mapping in (("geo_commune", self.by_commune), ("geo_postal_code", self.by_postal_code)):
            con.register(
                name,
                pa.table({"code": list(mapping), "departement": list(mapping.values())}, schema=schema),
            )


# --- Importing -----------------------------------------------------------------------


@dataclass
class _FileSpec:
    label: str
    required: list
    optional: list
    identifier: str  # the column naming a row in the error report
    checks: callable
    fields: callable  # (vendor, geography) -> [(column, SQL)]
    merge: type
    joins: str = ""


LEGAL_UNITS = _FileSpec(
    "Unités légales",
    UNITE_LEGALE_REQUIRED,
    UNITE_LEGALE_OPTIONAL,
    "siren",
    _legal_unit_checks,
    lambda vendor, geography: _legal_unit_fields(vendor),
    LegalUnitMerge,
)
ESTABLISHMENTS = _FileSpec(
    "Établissements",
    ETABLISSEMENT_REQUIRED,
    ETABLISSEMENT_OPTIONAL,
    "siret",
    _establishment_checks,
    lambda vendor, geography: _establishment_fields(geography.departements),
    EstablishmentMerge,
    joins=(
        " LEFT JOIN geo_commune ON geo_commune.code = codeCommuneEtablissement"
        " LEFT JOIN geo_postal_code ON geo_postal_code.code = codePostalEtablissement"
    ),
)


def _read_header(path, label):
    with open_sirene_file(path) as stream:
        try:
            return [name.strip() for name in next(csv.reader(stream))]
        except StopIteration:
            raise SireneFileError(f"{label} : le fichier {Path(path).name} est vide.") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SireneFileError(f"{label} : en-tête illisible dans {Path(path).name} ({exc}).") from None


def _check_columns(spec, columns, file_name):
    missing = [name for name in spec.required if name not in columns]
    if missing:
        raise SireneFileError(
            f"{spec.label} : fichier {file_name} refusé, colonne(s) obligatoire(s) absente(s) : "
            f"{', '.join(missing)}. Aucune ligne n'a été importée."
        )


class _StockReader:
    """One DuckDB query over the file: the checked rows, in file order, in Arrow batches."""

    def __init__(self, spec, path, vendor, geography, workdir):
        self.spec, self.path, self.file_name = spec, Path(path), Path(path).name
        self.con = duckdb.connect(
            config={"memory_limit": DUCKDB_MEMORY_LIMIT, "threads": 2, "temp_directory": str(workdir)}
        )
        self.pipe = None
        if is_parquet(path):
            self.columns = [
                row[0]
                for row in self.con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
            ]
            _check_columns(spec, self.columns, self.file_name)
            source = f"read_parquet({_literal(path)})"
            raw = {name: f'"{name}"' for name in self.columns}
            self.first_line = 1  # a Parquet file has no header line: rows count from 1
        else:
            self.columns = _read_header(path, spec.label)
            _check_columns(spec, self.columns, self.file_name)
            if zipfile.is_zipfile(path):
                self.pipe = _ZipPipe(self.path, workdir)
                path = self.pipe.fifo
            # Columns are named by position: the header's own names may hold anything.
            types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.columns)))
            source = (
                f"read_csv({_literal(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
                f"escape = '\"', columns = {{{types}}}, strict_mode = true, null_padding = false, "
                f"store_rejects = true, rejects_limit = {STRUCTURAL_REJECTS_KEPT})"
            )
            raw = {}
            for position, name in enumerate(self.columns):
                raw.setdefault(name, f"c{position}")  # a repeated column: the first one counts
            self.first_line = 2  # line 1 is the header
        if geography is not None:
            geography.register(self.con)
        self.sql = self._query(source, raw, vendor, geography)

    def _query(self, source, raw, vendor, geography):
        spec = self.spec
        used = spec.required + spec.optional
        cleaned = ", ".join(
            (
                f"CASE WHEN trim(CAST({raw[name]} AS VARCHAR)) = '{NOT_DIFFUSED}' THEN '' "
                f"ELSE coalesce(trim(CAST({raw[name]} AS VARCHAR)), '') END AS {name}"
            )
            if name in raw
            else f"'' AS {name}"
            for name in used
        )
        all_used = "concat_ws(chr(9), " + ", ".join(used) + ")"
        control_column = (
            "CASE "
            + " ".join(f"WHEN regexp_matches({name}, '{CONTROL_CHARACTER}') THEN '{name}'" for name in used)
            + " END"
        )
        checks = spec.checks()
        failure = (
            "CASE " + " ".join(f"WHEN {check.failed} THEN {i}" for i, check in enumerate(checks)) + " END"
        )
        control_message = (
            "'caractère de contrôle interdit (code 0x' || lpad(lower(hex(ord(regexp_extract("
            + all_used
            + f", '{CONTROL_CHARACTER}')))), 2, '0') || ') dans la colonne ' || control_column"
        )
        code = (
            "CASE WHEN control_column IS NOT NULL THEN 'control_character' "
            + " ".join(f"WHEN failure = {i} THEN '{check.code}'" for i, check in enumerate(checks))
            + " END"
        )
        message = (
            f"CASE WHEN control_column IS NOT NULL THEN {control_message} "
            + " ".join(f"WHEN failure = {i} THEN {check.message}" for i, check in enumerate(checks))
            + " END"
        )
        fields = ", ".join(f"{expression} AS {name}" for name, expression in spec.fields(vendor, geography))
        as_numbers = "".join(
            f", TRY_CAST({name} AS BIGINT) AS {number}" for name, number in AS_NUMBERS.items() if name in used
        )
        return (
            f"WITH numbered AS (SELECT row_number() OVER () + {self.first_line - 1} AS line, * FROM {source}), "
            f"cleaned AS (SELECT line, {cleaned}{as_numbers} FROM numbered), "
            f"checked AS (SELECT *, CASE WHEN regexp_matches({all_used}, '{CONTROL_CHARACTER}') "
            f"THEN {control_column} END AS control_column, {failure} AS failure FROM cleaned) "
            f"SELECT line, {spec.identifier} AS reject_identifier, {code} AS reject_code, "
            f"{message} AS reject_message, {fields} FROM checked{spec.joins}"
        )

    def batches(self, batch_size):
        try:
            yield from self.con.sql(self.sql).to_arrow_reader(batch_size)
        except duckdb.Error as exc:
            if self.pipe is not None:
                self.pipe.close()  # a damaged archive explains DuckDB's error better than DuckDB
            raise SireneFileError(
                f"{self.spec.label} : fichier {self.file_name} illisible ({exc}). Aucune ligne n'a été importée."
            ) from None

    def structural_errors(self):
        """The rows DuckDB could not parse, as RowErrors (only once the query has run)."""
        if self.pipe is not None:
            self.pipe.close()
        if is_parquet(self.path):
            return []
        # One entry per missing column of a truncated row: the first one says it all.
        rows = self.con.execute(
            "SELECT line, first(error_type ORDER BY column_idx), first(csv_line ORDER BY column_idx), "
            "first(error_message ORDER BY column_idx) FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
        return [self._structural_error(*row) for row in rows]

    def _structural_error(self, line, error_type, csv_line, error_message):
        fields = next(csv.reader([csv_line or ""]), [])
        identifier = ""
        for column in ("siret", "siren"):
            if column in self.columns and self.columns.index(column) < len(fields):
                identifier = fields[self.columns.index(column)].strip()
                break
        if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            found = re.search(r"Found: (\d+)", error_message or "")
            count = found.group(1) if found else len(fields)
            message = f"ligne tronquée ou mal formée : {count} champs au lieu de {len(self.columns)}"
            return RowError(line, identifier, "truncated_row", message)
        if error_type == "INVALID ENCODING":
            return RowError(
                line, identifier, "bad_encoding", "caractères invalides (fichier attendu en UTF-8)"
            )
        return RowError(line, identifier, "unreadable_row", f"ligne illisible ({error_message})")

    def close(self):
        self.con.close()
        if self.pipe is not None:
            with suppress(SireneFileError):
                self.pipe.close()


class _Rejects:
    """The rejected rows of one file, handed to the report and the error sink in line order at the end.

    Line numbers of checked rows are counted from the rows DuckDB parsed; the rows it could not
    parse (known only once the file is read) are put back in between. Beyond PENDING_ERRORS,
    rejected rows are only counted (such a file is refused anyway).
    """

    def __init__(self, report, error_sink):
        self.report, self.error_sink = report, error_sink
        self.pending = []
        self.count = 0

    def add(self, error):
        self.count += 1
        if len(self.pending) < PENDING_ERRORS:
            self.pending.append(error)

    def flush(self, structural):
        skipped = sorted(error.line for error in structural)
        shift, index = 0, 0
        for error in sorted(self.pending, key=lambda error: error.line):
            while index < len(skipped) and skipped[index] <= error.line + shift:
                shift, index = shift + 1, index + 1
            error.line += shift
        for error in sorted(self.pending + structural, key=lambda error: error.line):
            self.report.add_error(error)
            if self.error_sink is not None:
                self.error_sink(self.report.file_name, error)
        self.report.rejected += self.count - len(self.pending)


def _stage(
    spec,
    merge,
    path,
    workdir,
    *,
    batch_size=DEFAULT_BATCH_SIZE,
    max_rejected=0,
    progress=False,
    error_sink=None,
):
    """Read and check `path` into a staging table (in the current transaction); return (report, staging).

    Raise StockRejected when the file is refused: nothing of it is merged.
    """
    report = ImportReport(spec.label, Path(path).name)
    rejects = _Rejects(report, error_sink)
    geography = Geography() if spec is ESTABLISHMENTS else None
    reader = _StockReader(spec, path, connection.vendor, geography, workdir)
    try:
        staging = StagingTable(f"sirene_{spec.identifier}_stage", merge.staging_columns)
        bar = tqdm(unit=" lignes", unit_scale=True, desc=spec.label, disable=not progress, leave=False)
        with staging.loader() as load:
            for batch in reader.batches(batch_size):
                report.rows_read += batch.num_rows
                rejected = pc.is_valid(batch.column("reject_code"))
                if pc.any(rejected).as_py():
                    columns = ["line", "reject_identifier", "reject_code", "reject_message"]
                    for row in batch.filter(rejected).select(columns).to_pylist():
                        rejects.add(RowError(*row.values()))
                    batch = batch.filter(pc.invert(rejected))
                load(batch.select(staging.names))
                bar.update(batch.num_rows)
        bar.close()
        structural = reader.structural_errors()
    finally:
        reader.close()
    report.rows_read += len(structural)
    staging.analyze(merge.joined_on)
    for line, siret, siren in merge.unknown_companies(staging):
        rejects.add(RowError(line, siret, "unknown_company", f"unité légale inconnue : {siren}"))
    rejects.flush(structural)
    if structural or report.rejected > max_rejected:
        raise StockRejected(report)
    return report, staging


def _workdir():
    return tempfile.TemporaryDirectory(prefix="tremplin-sirene-")


def _import_file(spec, path, on_imported=None, **options):
    merge = spec.merge()
    with _workdir() as workdir, transaction.atomic():
        report, staging = _stage(spec, merge, path, workdir, **options)
        report.created, report.updated, report.ceased, report.unchanged = merge.run(staging)
        staging.drop()
    registry_imported.send(sender=spec.label, report=report)
    if on_imported is not None:
        on_imported(report)
    return report


def import_legal_units(path, **options):
    """Import a StockUniteLegale file; raise SireneFileError (StockRejected: with the report) if refused.

    Options: batch_size, max_rejected (rows with a bad value tolerated, skipped), progress, error_sink,
    on_imported (called with the report once the import has committed).
    """
    return _import_file(LEGAL_UNITS, path, **options)


def import_establishments(path, **options):
    """Import a StockEtablissement file (legal units first); same options and errors as import_legal_units."""
    return _import_file(ESTABLISHMENTS, path, **options)


def import_stock(legal_units, establishments, on_imported=None, **options):
    """Import both files of one stock; return their reports. Same options and errors as import_legal_units.

    As if each were imported in turn: a refused establishment file leaves the legal units imported, and
    `on_imported(report)` is called as each file's import commits. But the establishments are read
    before the legal units are written, so that a first load writes each company once, with its head
    office's location, instead of rewriting every company after the establishments.
    """
    units_merge = LegalUnitMerge()
    refused = None
    with _workdir() as workdir, transaction.atomic():
        units, units_staging = _stage(LEGAL_UNITS, units_merge, legal_units, workdir, **options)
        establishments_merge = EstablishmentMerge(legal_units=units_staging)
        try:
            with transaction.atomic():  # a refused file rolls back to here, its staging table included
                report, staging = _stage(
                    ESTABLISHMENTS, establishments_merge, establishments, workdir, **options
                )
        except SireneFileError as exc:
            refused, staging = exc, None
        units.created, units.updated, units.ceased, units.unchanged = units_merge.run(units_staging, staging)
        units_staging.drop()
        if staging is not None:
            counts = establishments_merge.run(staging, located=units_merge.located)
            report.created, report.updated, report.ceased, report.unchanged = counts
            staging.drop()
    reports = [units] if refused else [units, report]
    for imported in reports:
        registry_imported.send(sender=imported.label, report=imported)
        if on_imported is not None:
            on_imported(imported)
    if refused is not None:
        raise refused
    return reports
