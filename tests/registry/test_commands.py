import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from tests.registry.stock_files import SIRENS, establishment, legal_unit, write_stock
from tremplin.registry import demo
from tremplin.registry.models import Commune, Company, Establishment
from tremplin.registry.reference import load_reference_data
from tremplin.registry.sirene import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

pytestmark = pytest.mark.django_db

DEMO_DEPARTEMENTS = {
    "84": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "53": ["22", "29", "35", "56"],
}


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_sirene_imports_both_files_and_writes_an_error_report(tmp_path, reference_data):
    units = write_stock(
        tmp_path / "ul.zip",
        [legal_unit(SIRENS[0]), legal_unit(SIRENS[1], dateCreationUniteLegale="31/12/2020")],
        zipped=True,
    )
    establishments = write_stock(tmp_path / "etab.csv", [establishment(SIRENS[0]), establishment(SIRENS[1])])
    errors = tmp_path / "rejets.csv"

    out, _err = run(
        "import_sirene",
        "--unites-legales",
        units,
        "--etablissements",
        establishments,
        "--errors",
        errors,
        "--max-rejets",
        "1",
        "--no-progress",
    )

    assert (
        "Unités légales : 2 lignes lues, 1 créées, 0 mises à jour (dont 0 cessations), 0 inchangées, 1 rejetées."
        in out
    )
    assert (
        "Établissements : 2 lignes lues, 1 créées, 0 mises à jour (dont 0 cessations), 0 inchangées, 1 rejetées."
        in out
    )
    with errors.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["fichier"], r["ligne"], r["code"]) for r in rows] == [
        ("ul.zip", "3", "bad_date"),
        ("etab.csv", "3", "unknown_company"),
    ]
    assert Company.objects.get(siren=SIRENS[0]).departement_id == "69"


def test_import_sirene_refuses_a_file_with_a_bad_row_and_prints_the_first_errors(tmp_path, db):
    units = write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0]), legal_unit("732829321")])
    err = io.StringIO()

    with pytest.raises(
        CommandError, match="1 ligne\\(s\\) rejetée\\(s\\) sur 2\\). Aucune ligne n'a été importée"
    ):
        call_command("import_sirene", "--unites-legales", units, stdout=io.StringIO(), stderr=err)

    assert "ligne 3 [732829321] : SIREN invalide" in err.getvalue()
    assert not Company.objects.exists()


def test_import_sirene_refuses_a_wrong_header_in_french(tmp_path, db):
    columns = [c for c in UNITE_LEGALE_COLUMNS if c != "siren"]
    units = write_stock(tmp_path / "ul.csv", [legal_unit()], columns=columns)

    with pytest.raises(CommandError, match="colonne\\(s\\) obligatoire\\(s\\) absente\\(s\\) : siren"):
        run("import_sirene", "--unites-legales", units)

    assert not Company.objects.exists()


def test_import_sirene_needs_a_file(db):
    with pytest.raises(CommandError, match="--unites-legales"):
        run("import_sirene")


def test_load_reference_data_command(db):
    out, _err = run("load_reference_data", "--departements", "35", "56")

    assert "101 départements" in out
    assert set(Commune.objects.values_list("departement_id", flat=True)) == {"35", "56"}


@pytest.fixture
def demo_geography(db):
    # The two demo régions only: a full load would add seconds to the test.
    return load_reference_data(only_departements=[d for ds in DEMO_DEPARTEMENTS.values() for d in ds])


def test_the_demo_registry_imports_its_fixed_companies_and_can_run_again(demo_geography):
    out, _err = run("import_demo_registry", "--no-progress")
    counts = (Company.objects.count(), Establishment.objects.count())
    young = Company.objects.get(siren="999900111")
    again, _err = run("import_demo_registry", "--no-progress")

    manifest = json.loads(demo.MANIFEST.read_text())
    assert counts == (Company.objects.count(), Establishment.objects.count())
    assert counts == (manifest["legal_units"], manifest["establishments"])
    assert "0 rejetées" in out and "0 créées" in again
    in_rhone = Company.objects.filter(
        siren__in=["999900012", "999900020", "999900038", "999900046", "999900053"]
    )
    assert set(in_rhone.values_list("departement_id", "state")) == {("69", "A")}
    in_ille_et_vilaine = Company.objects.filter(siren__in=["999900061", "999900079", "999900087"])
    assert set(in_ille_et_vilaine.values_list("departement__region_id", flat=True)) == {"53"}
    assert Company.objects.get(siren="999900095").state == Company.State.CEASED
    assert Company.objects.get(siren="999900103").legal_form == "9220"
    assert (
        Company.objects.get(siren="999900129").display_name == "Entreprise individuelle (nom non diffusible)"
    )
    assert young.age_in_months(date.today()) == 2
    assert Company.objects.get(siren="999900111").created_on == young.created_on
    assert set(Company.objects.values_list("departement__region_id", flat=True)) == set(DEMO_DEPARTEMENTS)
    assert not Company.objects.filter(last_name__contains="[ND]").exists()
    assert not Establishment.objects.filter(street__contains="[ND]").exists()

    # A month after the files were generated, the demo companies are still as old as intended.
    days = demo.shift_demo_dates(today=demo.reference_date() + timedelta(days=30))

    assert days == 30
    assert Company.objects.get(siren="999900111").created_on == young.created_on + timedelta(days=30)
    assert Establishment.objects.get(company=young).created_on == young.created_on + timedelta(days=30)


def test_the_demo_generator_writes_the_columns_the_importer_knows(db):
    import importlib.util

    from django.conf import settings

    spec = importlib.util.spec_from_file_location(
        "make_demo_sirene", settings.BASE_DIR / "scripts" / "make_demo_sirene.py"
    )
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)

    assert generator.UNITE_LEGALE_COLUMNS == UNITE_LEGALE_COLUMNS
    assert generator.ETABLISSEMENT_COLUMNS == ETABLISSEMENT_COLUMNS
    assert len(UNITE_LEGALE_COLUMNS) == 35 and len(ETABLISSEMENT_COLUMNS) == 54


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://example.com","x")', "+1+1", "-1+1", "@SUM(A1)"])
def test_the_error_report_neutralises_cells_a_spreadsheet_would_run_as_formulas(tmp_path, db, typed):
    units = write_stock(tmp_path / "ul.csv", [{**legal_unit(), "siren": typed}])
    errors = tmp_path / "rejets.csv"

    run("import_sirene", "--unites-legales", units, "--errors", errors, "--max-rejets", "1", "--no-progress")

    with errors.open(encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["identifiant"] == "'" + typed
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())
