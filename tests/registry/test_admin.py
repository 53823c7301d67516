import pytest
from django.urls import reverse

from tests.registry.stock_files import SIRENS, establishment, legal_unit, write_stock
from tremplin.registry.sirene import import_establishments, import_legal_units

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["company", "establishment", "commune", "nafcode", "departement"])
def test_the_back_office_lists_the_registry(admin_client, reference_data, tmp_path, model):
    import_legal_units(write_stock(tmp_path / "ul.csv", [legal_unit(SIRENS[0])]))
    import_establishments(write_stock(tmp_path / "etab.csv", [establishment(SIRENS[0])]))

    response = admin_client.get(reverse(f"admin:registry_{model}_changelist"), {"q": "69"})

    assert response.status_code == 200
