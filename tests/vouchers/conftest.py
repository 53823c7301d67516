"""The voucher tests use the root's people and draft; here the states a file reaches through the services."""

import pytest
from django.urls import reverse

from tremplin.vouchers import services


@pytest.fixture
def stranger(other_owner):
    """Another business owner (the root's `other_owner`)."""
    return other_owner


@pytest.fixture
def submitted(draft):
    return services.submit(draft.owner, draft)


@pytest.fixture
def under_review(submitted, advisor):
    return services.start_review(advisor, submitted)


@pytest.fixture
def approved(under_review, advisor):
    return services.approve(advisor, under_review, "Dossier complet.")


@pytest.fixture
def as_user(logged_in):
    """Log the test client in as this user and return it (the root's `logged_in`)."""
    return logged_in


def ask_for_the_voucher(client, owner, identifier, scheme):
    """The last step of "Demander le chèque": the company found by `identifier`, who applies answered."""
    return client.post(
        reverse("vouchers:new"),
        {
            "identifier": identifier,
            "scheme": scheme.pk,
            "confirm": "1",
            "who-capacity": "representative",
            "who-given_names": owner.first_name,
            "who-family_name": owner.last_name,
            "who-birth_date": "12/04/1980",
        },
    )
