"""Drive voucher files through the real services, up to the state a test needs."""

from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory, UserFactory, pdf_file
from tremplin.schemes.models import Envelope, Scheme
from tremplin.vouchers import services


def scheme_with_budget(payee=Scheme.Payee.BUSINESS, **kwargs):
    scheme = SchemeFactory(payee=payee, **kwargs)
    EnvelopeFactory(scheme=scheme)
    return scheme


def envelope_of(application):
    return Envelope.objects.get(pk=application.envelope_id)


def approved_application(scheme, advisor, **fields):
    """An application submitted by its owner, reviewed and approved by an advisor of its territory."""
    application = ApplicationFactory(scheme=scheme, **fields)
    application = services.submit(application.owner, application)
    application = services.start_review(advisor, application)
    return services.approve(advisor, application)


def claim_approved_application(scheme, advisor, invoiced_spend_cents=400_000, invoice=None, **fields):
    application = approved_application(scheme, advisor, **fields)
    services.submit_claim(
        application.owner,
        application,
        invoice=invoice or pdf_file("facture.pdf"),
        proof_of_payment=pdf_file("virement.pdf"),
        invoiced_spend_cents=invoiced_spend_cents,
    )
    application = services.start_claim_review(advisor, application)
    return services.approve_claim(advisor, application)


def advisor_of_default_territory():
    # The organisation factory covers the Rhône, where CompanyFactory puts every company.
    return UserFactory(advisor=True)
