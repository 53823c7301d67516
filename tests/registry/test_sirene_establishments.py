import pytest

from tests.registry.stock_files import (
    SIRENS,
    establishment,
    head_office_nic,
    legal_unit,
    luhn_complete,
    write_stock,
)
from tremplin.registry.models import Company, Establishment
from tremplin.registry.sirene import (
    ETABLISSEMENT_COLUMNS,
    SireneFileError,
    departement_from_postal_code,
    import_establishments,
    import_legal_units,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(tmp_path, reference_data):
    import_legal_units(write_stock(tmp_path / "ul.csv", [legal_unit(s) for s in SIRENS]))


def import_rows(tmp_path, rows, **kwargs):
    return import_establishments(
        write_stock(tmp_path / "etab.csv", rows, columns=ETABLISSEMENT_COLUMNS), **kwargs
    )


def codes(report):
    return [(error.identifier, error.code) for error in report.errors]


def test_a_head_office_sets_its_company_location_and_departement(tmp_path, companies):
    report = import_rows(tmp_path, [establishment(SIRENS[0])])

    assert (report.rows_read, report.created, report.rejected) == (1, 1, 0)
    company = Company.objects.select_related("departement__region").get(siren=SIRENS[0])
    assert (company.head_office_postal_code, company.head_office_commune_code) == ("69001", "69381")
    assert company.departement.code == "69"
    assert company.region.code == "84"
    office = Establishment.objects.get()
    assert office.company == company
    assert office.siret == SIRENS[0] + head_office_nic(SIRENS[0])
    assert office.is_head_office
    assert office.street == "12 RUE DE LA REPUBLIQUE"
    assert (office.postal_code, office.commune_code, office.commune_name) == (
        "69001",
        "69381",
        "LYON 1ER ARRONDISSEMENT",
    )


def test_a_second_import_updates_establishments_and_moves_the_head_office(tmp_path, companies):
    import_rows(tmp_path, [establishment(SIRENS[0])])

    moved = establishment(
        SIRENS[0],
        codePostalEtablissement="35000",
        codeCommuneEtablissement="35238",
        libelleCommuneEtablissement="RENNES",
        typeVoieEtablissement="BD",
        libelleVoieEtablissement="DE LA LIBERTE",
    )
    report = import_rows(tmp_path, [moved])
    again = import_rows(tmp_path, [moved])

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Establishment.objects.count() == 1
    assert Establishment.objects.get().street == "12 BOULEVARD DE LA LIBERTE"
    assert Company.objects.get(siren=SIRENS[0]).departement_id == "35"


@pytest.mark.parametrize(
    ("commune_code", "postal_code", "departement"),
    [
        ("", "20167", "2A"),  # commune code missing: Corse-du-Sud from its postal code
        ("", "20200", "2B"),
        ("20004", "20000", "2A"),  # pre-1976 Corsican code: never read as département 20
        ("97101", "97139", "971"),
        ("69999", "69999", "69"),  # unknown commune: the département from the code's prefix
        ("", "98000", None),  # Monaco: no French département
    ],
)
def test_it_finds_the_departement_without_a_known_commune(
    tmp_path, companies, commune_code, postal_code, departement
):
    import_rows(
        tmp_path,
        [
            establishment(
                SIRENS[0], codeCommuneEtablissement=commune_code, codePostalEtablissement=postal_code
            )
        ],
    )

    assert Company.objects.get(siren=SIRENS[0]).departement_id == departement


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("69001", "69"),
        ("20090", "2A"),
        ("20600", "2B"),
        ("97600", "976"),
        ("01000", "01"),
        ("", None),
        ("6900", None),
    ],
)
def test_departement_from_postal_code(postal_code, departement):
    assert departement_from_postal_code(postal_code) == departement


def test_an_establishment_that_is_not_the_head_office_leaves_the_company_alone(tmp_path, companies):
    second_nic = luhn_complete(SIRENS[0] + "0002")[9:]
    import_rows(
        tmp_path,
        [
            establishment(SIRENS[0]),
            establishment(
                SIRENS[0],
                nic=second_nic,
                etablissementSiege="false",
                codeCommuneEtablissement="35238",
                codePostalEtablissement="35000",
            ),
            # A head office whose NIC is not the legal unit's nicSiege is a stale record.
            establishment(
                SIRENS[0],
                nic=luhn_complete(SIRENS[0] + "0003")[9:],
                codeCommuneEtablissement="2A004",
                codePostalEtablissement="20000",
            ),
        ],
    )

    assert Establishment.objects.count() == 3
    assert Company.objects.get(siren=SIRENS[0]).departement_id == "69"


def test_it_reports_an_establishment_whose_legal_unit_is_unknown(tmp_path, companies):
    unknown = "879521474"  # valid, but absent from the legal-unit file
    report = import_rows(tmp_path, [establishment(unknown), establishment(SIRENS[1])], max_rejected=1)

    assert codes(report) == [(unknown + head_office_nic(unknown), "unknown_company")]
    assert "unité légale inconnue" in report.errors[0].message
    assert (report.rows_read, report.created, report.rejected) == (2, 1, 1)
    assert list(Establishment.objects.values_list("company__siren", flat=True)) == [SIRENS[1]]


def test_it_reports_invalid_sirets(tmp_path, companies):
    good_nic = head_office_nic(SIRENS[0])
    bad_nic = good_nic[:4] + str((int(good_nic[4]) + 1) % 10)
    report = import_rows(
        tmp_path,
        [
            establishment(SIRENS[0], nic=bad_nic),
            establishment(SIRENS[1], siret=SIRENS[2] + head_office_nic(SIRENS[2])),
            establishment(SIRENS[3]),
            # The NIC makes the 14 digits pass the Luhn check, but the SIREN itself fails it.
            establishment("732829321"),
        ],
        max_rejected=3,
    )

    assert codes(report) == [
        (SIRENS[0] + bad_nic, "bad_checksum"),
        (SIRENS[2] + head_office_nic(SIRENS[2]), "bad_siret"),
        ("732829321" + head_office_nic("732829321"), "bad_checksum"),
    ]
    assert list(Establishment.objects.values_list("company__siren", flat=True)) == [SIRENS[3]]


def test_it_accepts_la_poste_sirets_which_follow_their_own_rule(tmp_path, reference_data):
    import_legal_units(
        write_stock(tmp_path / "ul.csv", [legal_unit("356000000", nicSiegeUniteLegale="00048")])
    )
    # Not a Luhn number: La Poste's establishments only need a digit sum divisible by 5.
    report = import_rows(tmp_path, [establishment("356000000", nic="00001", etablissementSiege="false")])

    assert (report.created, report.rejected) == (1, 0)


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("etatAdministratifEtablissement", "C", "unknown_state"),
        ("etablissementSiege", "oui", "unknown_value"),
        ("dateCreationEtablissement", "2015-3-2", "bad_date"),
        ("codePostalEtablissement", "6900", "bad_postal_code"),
    ],
)
def test_it_reports_malformed_establishment_rows(tmp_path, companies, column, value, code):
    report = import_rows(
        tmp_path, [establishment(SIRENS[0], **{column: value}), establishment(SIRENS[1])], max_rejected=1
    )

    assert [c for _identifier, c in codes(report)] == [code]
    assert Establishment.objects.count() == 1
    assert Company.objects.get(siren=SIRENS[0]).departement is None


def test_a_partially_diffusible_establishment_keeps_its_commune_but_not_its_street(tmp_path, companies):
    import_rows(
        tmp_path,
        [
            establishment(
                SIRENS[0],
                statutDiffusionEtablissement="P",
                numeroVoieEtablissement="[ND]",
                typeVoieEtablissement="[ND]",
                libelleVoieEtablissement="[ND]",
                enseigne1Etablissement="[ND]",
            )
        ],
    )

    office = Establishment.objects.get()
    assert (office.diffusion, office.street, office.sign_name) == ("P", "", "")
    assert office.commune_code == "69381"
    assert Company.objects.get(siren=SIRENS[0]).departement_id == "69"


def test_it_refuses_an_establishment_file_with_a_missing_column(tmp_path, companies):
    columns = [c for c in ETABLISSEMENT_COLUMNS if c != "codeCommuneEtablissement"]
    path = write_stock(tmp_path / "etab.csv", [establishment(SIRENS[0])], columns=columns)

    with pytest.raises(SireneFileError, match="codeCommuneEtablissement"):
        import_establishments(path)

    assert not Establishment.objects.exists()


def test_it_imports_a_zipped_file_in_batches(tmp_path, companies):
    path = write_stock(tmp_path / "etab.zip", [establishment(s) for s in SIRENS], zipped=True)

    report = import_establishments(path, batch_size=2)

    assert (report.rows_read, report.created) == (5, 5)
    assert set(Company.objects.values_list("departement_id", flat=True)) == {"69"}
