"""Provider test fixtures: named users per role, providers with offers, files driven by the real services."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    DepartementFactory,
    ProviderFactory,
    RegionFactory,
    UserFactory,
    pdf_file,
)
from tests.payments.flows import claim_approved_application, scheme_with_budget
from tremplin.payments import services as payments
from tremplin.providers.accreditation import upload_document
from tremplin.providers.models import Document, Offer
from tremplin.providers.search import refresh_directory
from tremplin.vouchers.models import Application

REVERSIBILITY = "Export de toutes vos données en CSV sous 15 jours, transfert du nom de domaine et des accès."


def make_offer(provider, category="website", low=100_000, high=300_000, departements=None, title=None):
    offer = Offer.objects.create(
        provider=provider,
        category=category,
        title=title or f"Offre {category}",
        price_min_cents=low,
        price_max_cents=high,
        delivery_days=30,
        reversibility=REVERSIBILITY,
    )
    offer.departements.set(departements or [DepartementFactory()])
    refresh_directory(provider)
    return offer


def add_valid_documents(provider, member, days=180):
    on = timezone.localdate()
    for kind in (Document.Kind.URSSAF, Document.Kind.INSURANCE):
        upload_document(member, provider, kind, pdf_file(f"{kind}.pdf"), on + timedelta(days=days))


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finistere(db):
    return DepartementFactory(code="29", name="Finistère", region=RegionFactory(code="53", name="Bretagne"))


@pytest.fixture
def member(db):
    """A member of an accredited provider that offers websites in the Rhône."""
    user = UserFactory(provider_member=True)
    make_offer(user.provider, "website")
    return user


@pytest.fixture
def provider(member):
    return member.provider


@pytest.fixture
def other_member(db):
    user = UserFactory(provider_member=True, provider=ProviderFactory(name="Concurrent Numérique"))
    make_offer(user.provider, "website")
    return user


@pytest.fixture
def draft(scheme, owner):
    """A draft of the owner without provider nor quote yet."""
    return ApplicationFactory(scheme=scheme, owner=owner, provider=None, quote="", planned_spend_cents=None)


def paid_application(provider, owner, advisor, manager):
    """A file of this owner with this provider, driven through the real services to "paid"."""
    scheme = scheme_with_budget()
    application = claim_approved_application(scheme, advisor, owner=owner, provider=provider)
    payments.mark_batch_paid(manager, payments.create_batch(manager, scheme))
    application = Application.objects.get(pk=application.pk)
    assert application.state == "paid"
    return application
