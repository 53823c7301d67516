import pytest

from tests.registry.stock_files import SIRENS, establishment, head_office_nic, legal_unit, write_stock
from tremplin.registry.lookup import find_company, find_establishment, region_of
from tremplin.registry.sirene import import_establishments, import_legal_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(tmp_path, reference_data):
    import_legal_units(write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0]), legal_unit(SIRENS[1])]))
    import_establishments(write_stock(tmp_path / "etab.csv", [establishment(SIRENS[0])]))


def test_it_finds_a_company_by_siren_typed_with_spaces(registry):
    spaced = f"{SIRENS[0][:3]} {SIRENS[0][3:6]} {SIRENS[0][6:]}"

    company = find_company(spaced)

    assert company.siren == SIRENS[0]
    assert region_of(company).name == "Auvergne-Rhône-Alpes"


@pytest.mark.parametrize("number", ["", None, "12345", "732829321", "879521474"])
def test_it_finds_nothing_for_a_malformed_or_unknown_siren(registry, number):
    assert find_company(number) is None


def test_it_finds_an_establishment_with_its_company(registry, django_assert_num_queries):
    siret = SIRENS[0] + head_office_nic(SIRENS[0])

    with django_assert_num_queries(1):
        office = find_establishment(siret)
        assert office.company.siren == SIRENS[0]
        assert region_of(office.company).code == "84"

    assert find_establishment(siret[:-1] + str((int(siret[-1]) + 1) % 10)) is None


def test_a_company_without_a_known_head_office_has_no_region(registry):
    assert region_of(find_company(SIRENS[1])) is None
    assert region_of(None) is None
