import pytest

from tests.factories import VALID_SIRENS, CompanyFactory, luhn_complete
from tests.registry.stock_files import SIRENS, establishment, head_office_nic, legal_unit, write_stock
from tremplin.core.errors import ServiceError
from tremplin.registry.lookup import company_for, find_company, find_establishment, region_of
from tremplin.registry.models import Company, Establishment
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


# --- the one lookup of a company named by a person -------------------------------------------------


@pytest.fixture
def company(db):
    return CompanyFactory()


def refused(identifier, **options):
    with pytest.raises(ServiceError) as error:
        company_for(identifier, "identifier", **options)
    return error.value


def test_a_siren_or_any_siret_of_it_names_the_company(company):
    assert company_for(company.siren) == (company, None)
    # Without `establishment=True` a SIRET stands for its company, even one the registry lacks.
    assert company_for(luhn_complete(company.siren + "0009")) == (company, None)


def test_a_siret_names_its_open_establishment_when_the_caller_keeps_it(company):
    office = Establishment.objects.create(
        siret=luhn_complete(company.siren + "0001"), company=company, nic="0001"
    )
    assert company_for(office.siret, establishment=True) == (company, office)
    assert company_for(company.siren, establishment=True) == (company, None)


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda c: VALID_SIRENS[0], "unknown_siren", "n'est pas dans le répertoire des entreprises"),
        (lambda c: "732829321", "invalid_siren", "clé de contrôle"),
        (lambda c: luhn_complete(c.siren + "0009"), "unknown_siret", "Indiquez plutôt le SIREN"),
        (lambda c: c.establishments.get().siret, "establishment_closed", "établissement est fermé"),
    ],
)
def test_every_refusal_has_its_code_its_field_and_its_message(company, make, code, words):
    Establishment.objects.create(
        siret=luhn_complete(company.siren + "0002"),
        company=company,
        nic="0002",
        state=Establishment.State.CLOSED,
    )
    error = refused(make(company), establishment=True)
    assert (error.code, error.field) == (code, "identifier")
    assert words in error.message


def test_a_ceased_company_is_refused_by_its_siren_and_its_sirets():
    ceased = CompanyFactory(state=Company.State.CEASED)
    for number in (ceased.siren, luhn_complete(ceased.siren + "0001")):
        error = refused(number)
        assert error.code == "company_ceased"
        assert error.message.startswith("Cette entreprise est déclarée cessée au répertoire SIRENE")
