"""A newer stock rewrites only what changed; Parquet input; malformed files import nothing."""

import csv
import io
import random
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.registry.stock_files import (
    SIRENS,
    establishment,
    head_office_nic,
    legal_unit,
    luhn_complete,
    write_stock,
)
from tremplin.registry.models import Company, Establishment
from tremplin.registry.reference import load_reference_data
from tremplin.registry.sirene import (
    ETABLISSEMENT_COLUMNS,
    UNITE_LEGALE_COLUMNS,
    SireneFileError,
    StockRejected,
    import_establishments,
    import_legal_units,
    import_stock,
)

pytestmark = pytest.mark.django_db


class Writes:
    """The keys of the rows a block of code wrote to a table, as the database itself records them."""

    def __init__(self, table, key):
        self.table, self.key = table, key

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT {self.key}, xmin::text FROM {self.table}")
                self.before = dict(cursor.fetchall())
            else:
                cursor.execute("CREATE TEMP TABLE IF NOT EXISTS written (key text)")
                cursor.execute("DELETE FROM written")
                for event in ("INSERT", "UPDATE"):
                    cursor.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS written_{self.table}_{event.lower()} AFTER {event} "
                        f"ON {self.table} BEGIN INSERT INTO written VALUES (new.{self.key}); END"
                    )
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT {self.key}, xmin::text FROM {self.table}")
                self.keys = {key for key, xmin in cursor.fetchall() if self.before.get(key) != xmin}
            else:
                cursor.execute("SELECT key FROM written")
                self.keys = {key for (key,) in cursor.fetchall()}
                for event in ("insert", "update"):
                    cursor.execute(f"DROP TRIGGER written_{self.table}_{event}")


def siret(siren):
    return siren + head_office_nic(siren)


def test_a_newer_stock_counts_new_changed_ceased_unchanged_and_writes_only_those_rows(
    tmp_path, reference_data
):
    import_legal_units(write_stock(tmp_path / "ul1.csv", [legal_unit(s) for s in SIRENS[:4]]))
    import_establishments(write_stock(tmp_path / "et1.csv", [establishment(s) for s in SIRENS[:4]]))
    newer_units = [
        legal_unit(SIRENS[0], denominationUniteLegale="BOULANGERIE DU PARC ET FILS"),
        legal_unit(SIRENS[1], etatAdministratifUniteLegale="C"),
        legal_unit(SIRENS[2]),
        legal_unit(SIRENS[3]),
        legal_unit(SIRENS[4]),
    ]
    newer_establishments = [
        establishment(SIRENS[0], libelleVoieEtablissement="DU MARCHE"),
        establishment(SIRENS[1], etatAdministratifEtablissement="F"),
        establishment(SIRENS[2]),
        establishment(SIRENS[3]),
        establishment(SIRENS[4]),
    ]

    with Writes("registry_company", "siren") as companies_written:
        units = import_legal_units(write_stock(tmp_path / "ul2.csv", newer_units))
    with Writes("registry_establishment", "siret") as establishments_written:
        establishments = import_establishments(write_stock(tmp_path / "et2.csv", newer_establishments))

    assert (units.rows_read, units.created, units.updated, units.ceased, units.unchanged) == (5, 1, 2, 1, 2)
    assert companies_written.keys == {SIRENS[0], SIRENS[1], SIRENS[4]}
    assert (
        establishments.created,
        establishments.updated,
        establishments.ceased,
        establishments.unchanged,
    ) == (
        1,
        2,
        1,
        2,
    )
    assert establishments_written.keys == {siret(SIRENS[0]), siret(SIRENS[1]), siret(SIRENS[4])}
    assert Company.objects.get(siren=SIRENS[0]).denomination == "BOULANGERIE DU PARC ET FILS"
    assert Company.objects.get(siren=SIRENS[1]).state == Company.State.CEASED
    assert Establishment.objects.get(siret=siret(SIRENS[0])).street == "12 RUE DU MARCHE"
    assert Establishment.objects.get(siret=siret(SIRENS[1])).state == Establishment.State.CLOSED
    assert Company.objects.get(siren=SIRENS[4]).departement_id == "69"

    with Writes("registry_company", "siren") as again_written:
        again = import_legal_units(write_stock(tmp_path / "ul3.csv", newer_units))

    assert (again.created, again.updated, again.ceased, again.unchanged) == (0, 0, 0, 5)
    assert again_written.keys == set()


def test_the_registry_imported_signal_carries_the_counts(tmp_path):
    from tremplin.registry.signals import registry_imported

    received = []

    def receiver(sender, report, **kwargs):
        received.append((sender, report.created, report.unchanged))

    registry_imported.connect(receiver)
    try:
        path = write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS[:2]])
        import_legal_units(path)
        import_legal_units(path)
    finally:
        registry_imported.disconnect(receiver)

    assert received == [("Unités légales", 2, 0), ("Unités légales", 0, 2)]


def as_parquet(path, rows, columns, types=None):
    """INSEE's Parquet edition: typed columns (dates, booleans, integers) where the CSV has text."""
    types = types or {}
    arrays = {}
    for name in columns:
        values = [row.get(name, "") for row in rows]
        convert = types.get(name)
        if convert is None:
            arrays[name] = pa.array(values, pa.string())
        else:
            kind, parse = convert
            arrays[name] = pa.array([parse(v) if v else None for v in values], kind)
    pq.write_table(pa.table(arrays), path)
    return path


def test_it_imports_the_parquet_edition_of_both_files(tmp_path, reference_data):
    units = as_parquet(
        tmp_path / "StockUniteLegale.parquet",
        [
            legal_unit(SIRENS[0], sigleUniteLegale="BDP"),
            legal_unit(SIRENS[1], statutDiffusionUniteLegale="P"),
        ],
        UNITE_LEGALE_COLUMNS,
        {
            "dateCreationUniteLegale": (pa.date32(), date.fromisoformat),
            "anneeEffectifsUniteLegale": (pa.int16(), int),
        },
    )
    establishments = as_parquet(
        tmp_path / "StockEtablissement.parquet",
        [establishment(SIRENS[0]), establishment(SIRENS[1], etablissementSiege="false")],
        ETABLISSEMENT_COLUMNS,
        {
            "dateCreationEtablissement": (pa.date32(), date.fromisoformat),
            "etablissementSiege": (pa.bool_(), lambda v: v == "true"),
        },
    )

    units_report = import_legal_units(units)
    establishments_report = import_establishments(establishments)

    assert (units_report.created, units_report.rejected) == (2, 0)
    assert (establishments_report.created, establishments_report.rejected) == (2, 0)
    company = Company.objects.get(siren=SIRENS[0])
    assert (company.acronym, company.created_on, company.headcount_year) == ("BDP", date(2015, 3, 2), 2023)
    assert company.departement_id == "69"
    assert Company.objects.get(siren=SIRENS[1]).diffusion == "P"
    assert Establishment.objects.get(siret=siret(SIRENS[0])).is_head_office
    assert not Establishment.objects.get(siret=siret(SIRENS[1])).is_head_office


def test_a_parquet_file_with_a_bad_value_reports_its_row_and_imports_nothing(tmp_path):
    path = as_parquet(
        tmp_path / "ul.parquet",
        [legal_unit(SIRENS[0]), legal_unit("732829321")],
        UNITE_LEGALE_COLUMNS,
    )

    with pytest.raises(StockRejected) as excinfo:
        import_legal_units(path)

    (error,) = excinfo.value.report.errors
    assert (error.line, error.identifier, error.code) == (2, "732829321", "bad_checksum")
    assert not Company.objects.exists()


def test_establishment_columns_are_mapped_by_name_with_extra_and_reordered_ones(tmp_path, reference_data):
    import_legal_units(write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0])]))
    columns = ETABLISSEMENT_COLUMNS + ["colonneAjouteeParInsee2027"]
    random.Random(7).shuffle(columns)
    row = establishment(
        SIRENS[0], colonneAjouteeParInsee2027="x", activitePrincipaleNAF25Etablissement="10.71Y"
    )

    report = import_establishments(write_stock(tmp_path / "et.csv", [row], columns=columns))

    assert (report.created, report.rejected) == (1, 0)
    office = Establishment.objects.get()
    assert (office.street, office.postal_code, office.naf_code) == (
        "12 RUE DE LA REPUBLIQUE",
        "69001",
        "10.71C",
    )


def test_a_malformed_establishment_file_imports_nothing_not_even_the_head_office_location(
    tmp_path, reference_data
):
    import_legal_units(write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS[:3]]))
    truncated = list(establishment(SIRENS[1]).values())[:20]
    path = write_stock(
        tmp_path / "et.zip",
        [
            establishment(SIRENS[0]),
            truncated,
            establishment(SIRENS[2], dateCreationEtablissement="2015-02-30"),
        ],
        columns=ETABLISSEMENT_COLUMNS,
        zipped=True,
    )

    with pytest.raises(StockRejected) as excinfo:
        import_establishments(path)

    report = excinfo.value.report
    assert [(e.line, e.identifier, e.code) for e in report.errors] == [
        (3, siret(SIRENS[1]), "truncated_row"),
        (4, siret(SIRENS[2]), "bad_date"),
    ]
    assert "20 champs au lieu de 54" in report.errors[0].message
    assert not Establishment.objects.exists()
    assert not Company.objects.filter(departement__isnull=False).exists()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("header", "colonne(s) obligatoire(s) absente(s) : dateCreationUniteLegale"),
        ("truncated", "il est mal formé (1 ligne(s) rejetée(s) sur 2)"),
        ("date", "des lignes ont des valeurs invalides (1 ligne(s) rejetée(s) sur 2)"),
    ],
)
def test_import_sirene_refuses_a_malformed_stock_and_writes_the_rejected_rows(tmp_path, db, kind, expected):
    rows = [legal_unit(SIRENS[0]), legal_unit(SIRENS[1])]
    columns = UNITE_LEGALE_COLUMNS
    if kind == "header":
        columns = [c for c in UNITE_LEGALE_COLUMNS if c != "dateCreationUniteLegale"]
    elif kind == "truncated":
        rows[1] = list(rows[1].values())[:30]
    else:
        rows[1]["dateCreationUniteLegale"] = "2024-13-01"
    units = write_stock(tmp_path / "ul.zip", rows, columns=columns, zipped=True)
    errors = tmp_path / "rejets.csv"

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_sirene",
            "--unites-legales",
            units,
            "--errors",
            errors,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert expected in str(excinfo.value)
    assert "Aucune ligne n'a été importée" in str(excinfo.value)
    assert not Company.objects.exists()
    with errors.open(encoding="utf-8") as f:
        rejected = [(r["ligne"], r["identifiant"], r["code"]) for r in csv.DictReader(f)]
    assert (
        rejected
        == {
            "header": [],
            "truncated": [("3", SIRENS[1], "truncated_row")],
            "date": [("3", SIRENS[1], "bad_date")],
        }[kind]
    )


def test_a_file_duckdb_cannot_read_at_all_is_refused_in_french(tmp_path):
    path = write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0])])
    path.write_text(path.read_text() + '"' + SIRENS[1] + ",une citation jamais refermée\n")

    with pytest.raises(SireneFileError) as excinfo:
        import_legal_units(path)

    assert "Aucune ligne n'a été importée" in str(excinfo.value)
    assert not Company.objects.exists()


def test_both_files_at_once_give_each_new_company_its_head_office(tmp_path, reference_data):
    units = write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS[:3]])
    nic = luhn_complete(SIRENS[1] + "0002")[9:]
    branch = establishment(SIRENS[1], nic=nic, etablissementSiege="false", codePostalEtablissement="35000")
    establishments = write_stock(
        tmp_path / "et.csv", [establishment(SIRENS[0]), branch, establishment(SIRENS[1])]
    )

    units_report, establishments_report = import_stock(units, establishments)

    assert (units_report.created, establishments_report.created) == (3, 3)
    located = dict(Company.objects.values_list("siren", "departement_id"))
    assert located == {SIRENS[0]: "69", SIRENS[1]: "69", SIRENS[2]: None}
    assert Company.objects.get(siren=SIRENS[1]).head_office_postal_code == "69001"


def test_a_refused_establishment_file_leaves_the_legal_units_of_the_same_stock_imported(
    tmp_path, reference_data
):
    units = write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS[:2]])
    establishments = write_stock(
        tmp_path / "et.csv",
        [establishment(SIRENS[0]), establishment(SIRENS[1], dateCreationEtablissement="2015-02-30")],
    )
    imported = []

    with pytest.raises(StockRejected) as excinfo:
        import_stock(units, establishments, on_imported=imported.append)

    assert [(e.line, e.code) for e in excinfo.value.report.errors] == [(3, "bad_date")]
    assert [(report.label, report.created) for report in imported] == [("Unités légales", 2)]
    assert Company.objects.count() == 2
    assert not Establishment.objects.exists()
    assert not Company.objects.filter(departement__isnull=False).exists()


def test_an_establishment_of_a_legal_unit_staged_in_the_same_stock_is_known(tmp_path, reference_data):
    units = write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0])])
    establishments = write_stock(tmp_path / "et.csv", [establishment(SIRENS[0]), establishment(SIRENS[1])])

    with pytest.raises(StockRejected) as excinfo:
        import_stock(units, establishments)

    assert [(e.line, e.identifier, e.code) for e in excinfo.value.report.errors] == [
        (3, siret(SIRENS[1]), "unknown_company")
    ]


def _schema(table):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s "
                "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [table, table],
            )
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s AND type = 'index'", [table])
        return sorted(str(row[0]) for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_first_load_builds_again_every_index_and_foreign_key_it_set_aside(tmp_path):
    load_reference_data(only_departements=["69"])  # committed: the first load may then set them aside
    before = {table: _schema(table) for table in ("registry_company", "registry_establishment")}
    units = write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS[:2]])
    establishments = write_stock(tmp_path / "et.csv", [establishment(s) for s in SIRENS[:2]])

    import_stock(units, establishments)

    assert {table: _schema(table) for table in before} == before
    assert before["registry_establishment"]  # the check sees something
    assert set(Company.objects.values_list("departement_id", flat=True)) == {"69"}
    assert Establishment.objects.filter(company__siren=SIRENS[1]).count() == 1
