import pytest

from tremplin.registry.reference import load_reference_data


@pytest.fixture
def reference_data(db):
    """Régions, départements and NAF codes, with the communes of a few départements."""
    return load_reference_data(only_departements=["69", "35", "2A", "2B", "971"])
