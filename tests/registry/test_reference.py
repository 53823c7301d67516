import pytest

from tremplin.registry.models import Commune, Departement, NafCode, NafSection, Region
from tremplin.registry.reference import load_reference_data, naf_sections_by_division

pytestmark = pytest.mark.django_db


def test_it_loads_the_whole_reference_data_and_can_run_again():
    first = load_reference_data()
    Commune.objects.filter(code="69381").update(name="Nom modifié", postal_codes=[])
    Commune.objects.create(code="69999", name="Commune fusionnée depuis", departement_id="69")
    second = load_reference_data()

    assert first == second
    assert (first.regions, first.departements, first.naf_sections, first.naf_codes) == (18, 101, 21, 732)
    assert first.communes > 34_000
    assert Region.objects.count() == 18 and Departement.objects.count() == 101
    assert Commune.objects.count() == first.communes
    lyon_1 = Commune.objects.get(code="69381")
    assert (lyon_1.name, lyon_1.postal_codes, lyon_1.departement_id) == (
        "Lyon 1er Arrondissement",
        ["69001"],
        "69",
    )


def test_it_includes_corsica_and_the_overseas_departements():
    load_reference_data(only_departements=["2A", "976"])

    assert set(
        Departement.objects.filter(code__in=["2A", "2B", "971", "972", "973", "974", "976"]).values_list(
            "code", flat=True
        )
    ) == {"2A", "2B", "971", "972", "973", "974", "976"}
    assert Departement.objects.get(code="2A").region.name == "Corse"
    assert Departement.objects.get(code="976").region_id == "06"
    assert Commune.objects.get(code="2A004").name == "Ajaccio"
    assert set(Commune.objects.values_list("departement_id", flat=True)) == {"2A", "976"}


def test_it_can_load_the_communes_of_some_departements_only():
    counts = load_reference_data(only_departements=["35"])

    assert counts.departements == 101
    assert set(Commune.objects.values_list("departement_id", flat=True)) == {"35"}
    assert Commune.objects.get(code="35238").postal_codes == ["35000", "35200", "35700"]


def test_naf_codes_carry_their_french_label_and_section():
    load_reference_data(only_departements=[])

    code = NafCode.objects.get(code="62.01Z")
    assert code.label == "Programmation informatique"
    assert code.section_id == "J"
    assert NafCode.objects.get(code="10.71C").section.label == "Industrie manufacturière"
    assert NafSection.objects.get(code="I").label == "Hébergement et restauration"


def test_every_naf_division_has_a_section():
    sections = naf_sections_by_division()

    assert (sections["01"], sections["33"], sections["47"], sections["56"], sections["99"]) == (
        "A",
        "C",
        "G",
        "I",
        "U",
    )
    assert "04" not in sections  # divisions 04, 34, 40... do not exist
    load_reference_data(only_departements=[])
    divisions = {code[:2] for code in NafCode.objects.values_list("code", flat=True)}
    assert divisions <= sections.keys()
    assert all(code.section_id == sections[code.code[:2]] for code in NafCode.objects.all())
