import pytest

from tests.payments.flows import scheme_with_budget
from tremplin.schemes.models import Scheme


@pytest.fixture
def provider_scheme(db):
    """A scheme that pays the provider rather than the business."""
    return scheme_with_budget(Scheme.Payee.PROVIDER)
