"""Small hand-counted fixtures for the funnel, delays and network pages: files placed at chosen dates.

Times are Paris time: `at(day, hour)` is an aware datetime of that local day.
"""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DepartementFactory,
    EnvelopeFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
)
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application, Claim


def at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def head(advisor):
    advisor.heads_organisation = True
    advisor.save()
    return advisor


@pytest.fixture
def finistere(db):
    return DepartementFactory(code="29", name="Finistère", region=RegionFactory(code="53", name="Bretagne"))


class Files:
    """Makes files of `scheme`, one company each, with the timestamps a test gives."""

    def __init__(self, scheme):
        self.scheme = scheme
        self.owner = UserFactory()
        self.manager = UserFactory(manager=True)
        self.batches = {}

    def make(
        self,
        created,
        state="draft",
        submitted=None,
        decided=None,
        claimed=None,
        claim_approved=None,
        paid=None,
        departement=None,
        naf_code="10.71C",
        bracket="02",
        advisor=None,
    ):
        company = CompanyFactory(
            naf_code=naf_code,
            headcount_bracket=bracket,
            **({"departement": departement} if departement else {}),
        )
        application = ApplicationFactory(
            scheme=self.scheme,
            owner=self.owner,
            company=company,
            provider=None,
            bank_document="",
            quote="",
            standing=False,
            state=state,
            assigned_advisor=advisor,
        )
        Application.objects.filter(pk=application.pk).update(
            created_at=created, submitted_at=submitted, decided_at=decided
        )
        if claimed:
            claim = Claim.objects.create(
                application=application,
                invoice="f.pdf",
                proof_of_payment="p.pdf",
                invoiced_spend_cents=100_000,
            )
            Claim.objects.filter(pk=claim.pk).update(submitted_at=claimed, approved_at=claim_approved)
        if paid:
            batch = self.batches.get(paid)
            if batch is None:
                batch = self.batches[paid] = PaymentBatch.objects.create(
                    scheme=self.scheme,
                    state=PaymentBatch.State.PAID,
                    message_id=f"LOT-{len(self.batches)}",
                    created_by=self.manager,
                    execution_date=paid.date(),
                    paid_at=paid,
                )
            PaymentLine.objects.create(
                batch=batch,
                application=application,
                amount_cents=100_000,
                creditor_name="Boulangerie",
                creditor_iban="FR7630006000010000000000000",
                end_to_end_id=f"E2E-{application.pk}",
                remittance_info="Chèque",
            )
        return application


@pytest.fixture
def files(scheme):
    return Files(scheme)


D = date


@pytest.fixture
def programme(db):
    """An envelope of 10,000 € with two files submitted, 2,000 € each."""
    scheme = SchemeFactory()
    envelope = EnvelopeFactory(scheme=scheme, total_cents=1_000_000)
    for _ in range(2):
        application = ApplicationFactory(scheme=scheme)
        vouchers.submit(application.owner, application)
    return envelope
