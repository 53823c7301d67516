"""The documents the platform prints: the decision letter's text and the SEPA credit transfer file."""

import re
from io import BytesIO

import pytest
from lxml import etree
from pypdf import PdfReader

from tests.factories import ApplicationFactory, CompanyFactory, pdf_file
from tests.snapshots.conftest import scrub
from tremplin.payments import services as payments
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.letters import render_decision_letter

pytestmark = pytest.mark.django_db


def approved(application, advisor):
    application = vouchers.submit(application.owner, application)
    application = vouchers.start_review(advisor, application)
    return vouchers.approve(advisor, application, "Dossier complet.")


def claim_approved(application, advisor, invoiced_cents):
    application = approved(application, advisor)
    vouchers.submit_claim(
        application.owner, application, pdf_file("facture.pdf"), pdf_file("virement.pdf"), invoiced_cents
    )
    application = vouchers.start_claim_review(advisor, application)
    return vouchers.approve_claim(advisor, application)


def test_the_decision_letter(draft, advisor, snapshot):
    application = approved(draft, advisor)
    pages = PdfReader(BytesIO(render_decision_letter(application))).pages
    text = "\n\n".join(f"--- page {n} ---\n{page.extract_text()}" for n, page in enumerate(pages, start=1))
    assert scrub(text, application) == snapshot


def test_the_sepa_file_of_a_payment_batch(draft, scheme, advisor, manager, other_owner, snapshot):
    """Two files, one of them with a name the bank file must transliterate (SEPA's basic Latin set)."""
    first = claim_approved(draft, advisor, invoiced_cents=400_000)
    second = ApplicationFactory(
        scheme=scheme,
        owner=other_owner,
        company=CompanyFactory(siren="542051180", denomination="Fleurs Bernard"),
        provider=draft.provider,
        account_holder="Fleurs Bernard & Fils – Señor Çà",
        iban="FR76 3000 4000 0312 3456 7890 143",
        planned_spend_cents=250_000,
    )
    second = claim_approved(second, advisor, invoiced_cents=240_000)

    batch = payments.create_batch(manager, scheme)

    # The message id: creation time (UTC), then a random part so that two files never share one.
    assert re.fullmatch(r"TN-20260302093000-[0-9a-f]{10}", batch.message_id)
    xml = etree.tostring(etree.fromstring(bytes(batch.xml)), pretty_print=True, encoding="unicode")
    assert scrub(xml, first, second, {batch.message_id: "TN-20260302093000-<aléa>"}) == snapshot
