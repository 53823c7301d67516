import random
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from tests.registry.stock_files import SIRENS, head_office_nic, legal_unit, write_stock
from tremplin.registry.models import Company
from tremplin.registry.sirene import (
    UNITE_LEGALE_COLUMNS,
    UNITE_LEGALE_REQUIRED,
    SireneFileError,
    StockRejected,
    import_legal_units,
)

pytestmark = pytest.mark.django_db


def codes(report):
    return [(error.identifier, error.code) for error in report.errors]


def refused(path, **kwargs):
    """The report of a file refused whole."""
    with pytest.raises(StockRejected) as excinfo:
        import_legal_units(path, **kwargs)
    assert "Aucune ligne n'a été importée" in str(excinfo.value)
    return excinfo.value.report


def test_it_imports_legal_units_from_a_plain_csv(tmp_path):
    path = write_stock(
        tmp_path / "StockUniteLegale.csv",
        [
            legal_unit(SIRENS[0], sigleUniteLegale="BDP"),
            legal_unit(
                SIRENS[1],
                denominationUniteLegale="",
                nomUniteLegale="LE GALL",
                prenom1UniteLegale="YANN",
                prenomUsuelUniteLegale="",
                categorieJuridiqueUniteLegale="1000",
                trancheEffectifsUniteLegale="NN",
                anneeEffectifsUniteLegale="",
            ),
        ],
    )

    report = import_legal_units(path)

    assert (report.rows_read, report.created, report.updated, report.rejected) == (2, 2, 0, 0)
    company = Company.objects.get(siren=SIRENS[0])
    assert company.denomination == "BOULANGERIE DU PARC"
    assert company.acronym == "BDP"
    assert company.created_on == date(2015, 3, 2)
    assert company.headcount_bracket == "02"
    assert company.headcount_year == 2023
    assert company.category == "PME"
    assert company.state == Company.State.ACTIVE
    assert company.legal_form == "5499"
    assert (company.naf_code, company.naf_nomenclature, company.naf2025_code) == (
        "10.71C",
        "NAFRev2",
        "10.71C",
    )
    assert company.head_office_nic == head_office_nic(SIRENS[0])
    assert company.last_processed_at == datetime(2025, 6, 14, 10, 22, 31, tzinfo=ZoneInfo("Europe/Paris"))
    sole_trader = Company.objects.get(siren=SIRENS[1])
    assert (sole_trader.last_name, sole_trader.first_name, sole_trader.denomination) == (
        "LE GALL",
        "YANN",
        "",
    )
    assert sole_trader.headcount_year is None


def test_it_imports_legal_units_from_a_zip(tmp_path):
    path = write_stock(tmp_path / "StockUniteLegale.zip", [legal_unit(s) for s in SIRENS], zipped=True)

    report = import_legal_units(path)

    assert (report.rows_read, report.created, report.rejected) == (5, 5, 0)
    assert set(Company.objects.values_list("siren", flat=True)) == set(SIRENS)


def test_a_second_import_rewrites_only_what_changed_and_counts_it(tmp_path):
    first = write_stock(tmp_path / "v1.csv", [legal_unit(s) for s in SIRENS[:3]])
    import_legal_units(first)
    Company.objects.filter(siren=SIRENS[0]).update(
        head_office_postal_code="69001", head_office_commune_code="69381"
    )
    newer = write_stock(
        tmp_path / "v2.csv",
        [
            legal_unit(
                SIRENS[0],
                denominationUniteLegale="BOULANGERIE DU PARC ET FILS",
                etatAdministratifUniteLegale="C",
            ),
            legal_unit(SIRENS[1]),
            legal_unit(SIRENS[2]),
            legal_unit(SIRENS[3]),
        ],
    )

    report = import_legal_units(newer, batch_size=2)
    again = import_legal_units(newer, batch_size=2)

    assert (report.rows_read, report.created, report.updated, report.ceased, report.unchanged) == (
        4,
        1,
        1,
        1,
        2,
    )
    assert (again.rows_read, again.created, again.updated, again.ceased, again.unchanged) == (4, 0, 0, 0, 4)
    assert Company.objects.count() == 4
    company = Company.objects.get(siren=SIRENS[0])
    assert company.denomination == "BOULANGERIE DU PARC ET FILS"
    assert company.state == Company.State.CEASED
    # The head office's location comes from the establishment file: a legal-unit import keeps it.
    assert (company.head_office_postal_code, company.head_office_commune_code) == ("69001", "69381")


def test_it_maps_columns_by_name_whatever_their_order_and_ignores_unknown_ones(tmp_path):
    columns = UNITE_LEGALE_COLUMNS + ["colonneAjouteeParInsee2027"]
    random.Random(4).shuffle(columns)
    padded = [f" {name} " if i % 3 == 0 else name for i, name in enumerate(columns)]
    row = legal_unit(SIRENS[0], colonneAjouteeParInsee2027="42", sigleUniteLegale="BDP")
    path = write_stock(tmp_path / "shuffled.csv", [row], columns=padded)

    report = import_legal_units(path)

    assert (report.created, report.rejected) == (1, 0)
    company = Company.objects.get(siren=SIRENS[0])
    assert (company.denomination, company.acronym, company.naf_code) == (
        "BOULANGERIE DU PARC",
        "BDP",
        "10.71C",
    )


def test_it_accepts_an_older_file_without_the_naf_2025_column(tmp_path):
    columns = [c for c in UNITE_LEGALE_COLUMNS if c != "activitePrincipaleNAF25UniteLegale"]
    path = write_stock(tmp_path / "2024.csv", [legal_unit()], columns=columns)

    report = import_legal_units(path)

    assert report.created == 1
    assert Company.objects.get().naf2025_code == ""


def test_it_refuses_a_file_with_a_missing_column(tmp_path):
    columns = [
        c for c in UNITE_LEGALE_COLUMNS if c not in ("etatAdministratifUniteLegale", "nicSiegeUniteLegale")
    ]
    path = write_stock(tmp_path / "bad_header.csv", [legal_unit(s) for s in SIRENS], columns=columns)

    with pytest.raises(SireneFileError) as excinfo:
        import_legal_units(path, batch_size=2)

    message = str(excinfo.value)
    assert "etatAdministratifUniteLegale" in message and "nicSiegeUniteLegale" in message
    assert "Aucune ligne n'a été importée" in message
    assert not Company.objects.exists()


def test_it_requires_only_the_columns_it_uses(tmp_path):
    path = write_stock(tmp_path / "minimal.csv", [legal_unit()], columns=UNITE_LEGALE_REQUIRED)

    assert import_legal_units(path).created == 1


@pytest.mark.parametrize("max_rejected", [0, 10])
def test_a_truncated_row_refuses_the_whole_file_with_a_row_level_report(tmp_path, max_rejected):
    truncated = list(legal_unit(SIRENS[1]).values())[:12]
    path = write_stock(
        tmp_path / "truncated.csv",
        [legal_unit(SIRENS[0]), truncated, legal_unit(SIRENS[2])],
        columns=UNITE_LEGALE_COLUMNS,
    )

    report = refused(path, max_rejected=max_rejected)  # a structural error is never tolerated

    assert (report.rows_read, report.created, report.rejected) == (3, 0, 1)
    assert codes(report) == [(SIRENS[1], "truncated_row")]
    assert report.errors[0].line == 3
    assert "12 champs au lieu de 35" in report.errors[0].message
    assert not Company.objects.exists()


@pytest.mark.parametrize("bad_date", ["2021/05/03", "03-05-2021", "2021-02-30", "20210503", "hier"])
def test_a_bad_creation_date_refuses_the_file_with_a_row_level_report(tmp_path, bad_date):
    path = write_stock(
        tmp_path / "dates.csv",
        [legal_unit(SIRENS[1]), legal_unit(SIRENS[0], dateCreationUniteLegale=bad_date)],
    )

    report = refused(path)

    assert codes(report) == [(SIRENS[0], "bad_date")]
    assert report.errors[0].line == 3
    assert (
        f"dateCreationUniteLegale invalide : « {bad_date} » (format attendu AAAA-MM-JJ)"
        == report.errors[0].message
    )
    assert not Company.objects.exists()


def test_a_tolerated_bad_row_is_skipped_and_never_half_imported(tmp_path):
    path = write_stock(
        tmp_path / "dates.csv",
        [legal_unit(SIRENS[0], dateCreationUniteLegale="hier"), legal_unit(SIRENS[1])],
    )

    report = import_legal_units(path, max_rejected=1)

    assert (report.rows_read, report.created, report.rejected) == (2, 1, 1)
    assert list(Company.objects.values_list("siren", flat=True)) == [SIRENS[1]]


def test_more_bad_rows_than_tolerated_refuse_the_file(tmp_path):
    path = write_stock(
        tmp_path / "dates.csv",
        [legal_unit(s, dateCreationUniteLegale="hier") for s in SIRENS[:2]] + [legal_unit(SIRENS[2])],
    )

    report = refused(path, max_rejected=1)

    assert codes(report) == [(SIRENS[0], "bad_date"), (SIRENS[1], "bad_date")]
    assert not Company.objects.exists()


def test_a_missing_creation_date_is_not_an_error(tmp_path):
    path = write_stock(tmp_path / "no_date.csv", [legal_unit(dateCreationUniteLegale="")])

    assert import_legal_units(path).created == 1
    assert Company.objects.get().created_on is None


def test_it_reports_an_invalid_siren_checksum(tmp_path):
    path = write_stock(
        tmp_path / "checksum.csv", [legal_unit("732829321"), legal_unit("73282932"), legal_unit(SIRENS[1])]
    )

    report = import_legal_units(path, max_rejected=2)

    assert codes(report) == [("732829321", "bad_checksum"), ("73282932", "bad_siren")]
    assert "clé de contrôle" in report.errors[0].message
    assert list(Company.objects.values_list("siren", flat=True)) == [SIRENS[1]]


def test_it_accepts_la_poste_siren(tmp_path):
    path = write_stock(
        tmp_path / "la_poste.csv", [legal_unit("356000000", denominationUniteLegale="LA POSTE")]
    )

    assert import_legal_units(path).created == 1


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("etatAdministratifUniteLegale", "F", "unknown_state"),
        ("etatAdministratifUniteLegale", "", "unknown_state"),
        ("statutDiffusionUniteLegale", "X", "unknown_value"),
        ("trancheEffectifsUniteLegale", "99", "unknown_value"),
        ("categorieJuridiqueUniteLegale", "SARL", "bad_legal_form"),
        ("anneeEffectifsUniteLegale", "23", "bad_year"),
    ],
)
def test_it_reports_unknown_values(tmp_path, column, value, code):
    path = write_stock(
        tmp_path / "values.csv", [legal_unit(SIRENS[0], **{column: value}), legal_unit(SIRENS[1])]
    )

    report = import_legal_units(path, max_rejected=1)

    assert codes(report) == [(SIRENS[0], code)]
    assert column in report.errors[0].message
    assert report.created == 1


def test_it_never_stores_the_not_diffused_marker(tmp_path):
    hidden = {
        name: "[ND]"
        for name in [
            "sexeUniteLegale",
            "prenom1UniteLegale",
            "prenomUsuelUniteLegale",
            "nomUniteLegale",
            "nomUsageUniteLegale",
            "sigleUniteLegale",
            "denominationUsuelle1UniteLegale",
        ]
    }
    path = write_stock(
        tmp_path / "partial.csv",
        [
            legal_unit(
                SIRENS[0],
                statutDiffusionUniteLegale="P",
                denominationUniteLegale="",
                categorieJuridiqueUniteLegale="1000",
                **hidden,
            )
        ],
    )

    import_legal_units(path)

    company = Company.objects.get()
    assert company.diffusion == "P"
    assert (company.last_name, company.first_name, company.acronym, company.denomination) == ("", "", "", "")
    assert company.display_name == "Entreprise individuelle (nom non diffusible)"
    assert not Company.objects.filter(
        Q(last_name__contains="ND") | Q(first_name__contains="ND") | Q(acronym__contains="ND")
    ).exists()


def test_it_keeps_the_naf_code_only_for_the_rev_2_nomenclature(tmp_path):
    path = write_stock(
        tmp_path / "naf.csv",
        [
            legal_unit(
                SIRENS[0],
                activitePrincipaleUniteLegale="52.1D",
                nomenclatureActivitePrincipaleUniteLegale="NAFRev1",
                activitePrincipaleNAF25UniteLegale="",
                etatAdministratifUniteLegale="C",
            )
        ],
    )

    import_legal_units(path)

    company = Company.objects.get()
    assert (company.naf_code, company.naf_nomenclature, company.naf2025_code) == ("", "NAFRev1", "")


def test_a_repeated_siren_in_one_file_keeps_the_last_row(tmp_path):
    path = write_stock(
        tmp_path / "twice.csv",
        [legal_unit(SIRENS[0]), legal_unit(SIRENS[0], denominationUniteLegale="NOUVEAU NOM")],
    )

    report = import_legal_units(path)

    assert (report.rows_read, report.created, report.updated, report.unchanged) == (2, 1, 0, 0)
    assert Company.objects.get().denomination == "NOUVEAU NOM"


def test_it_tolerates_a_byte_order_mark_and_blank_lines(tmp_path):
    path = write_stock(tmp_path / "bom.csv", [legal_unit(SIRENS[0]), legal_unit(SIRENS[1])])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\n\n")

    report = import_legal_units(path)

    assert (report.rows_read, report.created, report.rejected) == (2, 2, 0)


def test_a_row_that_is_not_utf_8_refuses_the_file(tmp_path):
    path = write_stock(
        tmp_path / "latin1.csv",
        [legal_unit(SIRENS[0]), legal_unit(SIRENS[1], denominationUniteLegale="ÉPICERIE")],
    )
    header, first, second = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_bytes((header + first).encode() + second.encode("latin-1"))

    report = refused(path)

    assert codes(report) == [(SIRENS[1], "bad_encoding")]
    assert report.errors[0].line == 3
    assert not Company.objects.exists()


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(SireneFileError, match="vide"):
        import_legal_units(path)


def test_a_zip_must_hold_exactly_one_csv(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "siren\n")
        archive.writestr("b.csv", "siren\n")

    with pytest.raises(SireneFileError, match="un seul fichier CSV"):
        import_legal_units(path)


@pytest.mark.parametrize("cut", [0.3, 0.8])
def test_a_truncated_zip_is_refused_as_a_damaged_archive(tmp_path, cut):
    rows = [legal_unit(s) for s in SIRENS] * 40
    path = write_stock(tmp_path / "StockUniteLegale.zip", rows, zipped=True)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])

    with pytest.raises(SireneFileError, match="archive StockUniteLegale.zip est endommagée ou incomplète"):
        import_legal_units(path)

    assert not Company.objects.exists()


@pytest.mark.parametrize("value", ["BOULANGERIE\x00", "BOU\x1bLANGERIE", "A\x7fB"])
def test_a_control_character_rejects_the_line_and_nothing_of_it_is_stored(tmp_path, value):
    path = write_stock(
        tmp_path / "ul.csv", [legal_unit(SIRENS[0], denominationUniteLegale=value), legal_unit(SIRENS[1])]
    )

    report = import_legal_units(path, max_rejected=1)

    assert codes(report) == [(SIRENS[0], "control_character")]
    assert "denominationUniteLegale" in report.errors[0].message
    assert list(Company.objects.values_list("siren", flat=True)) == [SIRENS[1]]


def test_a_zip_damaged_inside_stops_the_import_with_a_sentence_naming_the_archive(tmp_path):
    rows = [legal_unit(s) for s in SIRENS] * 40
    path = write_stock(tmp_path / "StockUniteLegale.zip", rows, zipped=True)
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 40] = bytes(40)  # the central directory, at the end, is intact
    path.write_bytes(bytes(data))

    with pytest.raises(SireneFileError, match="archive StockUniteLegale.zip est endommagée"):
        import_legal_units(path)

    assert not Company.objects.exists()
