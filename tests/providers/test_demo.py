import random

import pytest

from tests.factories import DepartementFactory, RegionFactory
from tremplin.providers.demo import seed_providers
from tremplin.providers.models import Offer, Provider
from tremplin.schemes.models import SpendCategory

pytestmark = pytest.mark.django_db


def test_demo_providers_are_accredited_and_cover_every_category():
    region = RegionFactory()
    for code in ("69", "38", "74"):
        DepartementFactory(code=code, name=code, region=region)
    providers = seed_providers(random.Random(1), count=16)
    assert len(providers) == 16
    assert all(p.accredited for p in Provider.objects.all())
    assert set(Offer.objects.values_list("category", flat=True)) == set(SpendCategory.values)
    assert seed_providers(random.Random(1), count=16) == providers  # idempotent
