"""The decision letter, as the company receives it: its registered address and French dates."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tremplin.registry.models import Establishment
from tremplin.vouchers import services
from tremplin.vouchers.letters import render_decision_letter

pytestmark = pytest.mark.django_db


def letter_text(application):
    return "\n".join(
        page.extract_text() for page in PdfReader(BytesIO(render_decision_letter(application))).pages
    )


def test_the_letter_carries_the_registered_address_and_writes_the_first_of_the_month_1er(
    draft, advisor, time_machine
):
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    Establishment.objects.create(
        siret=draft.company.siren + "00011",
        company=draft.company,
        nic="00011",
        is_head_office=True,
        street="12 rue de la République",
        postal_code="69001",
        commune_code="69381",
        commune_name="Lyon 1er Arrondissement",
    )
    services.submit(draft.owner, draft)
    services.start_review(advisor, draft)
    application = services.approve(advisor, draft)

    text = letter_text(application)
    assert "12 rue de la République" in text
    assert "69001 Lyon 1er Arrondissement" in text
    assert "le 1er décembre 2026" in text
    assert " 1 décembre" not in text


def test_a_hidden_address_is_never_printed_but_the_commune_is(draft, advisor):
    company = draft.company
    company.diffusion = "P"
    company.save()
    Establishment.objects.create(
        siret=company.siren + "00011",
        company=company,
        nic="00011",
        diffusion="P",
        is_head_office=True,
        street="",
        postal_code="69001",
        commune_code="69381",
        commune_name="Lyon 1er Arrondissement",
    )
    services.submit(draft.owner, draft)
    services.start_review(advisor, draft)
    # SIRENE hides the name: the bank cannot be asked, the advisor checks the RIB.
    services.confirm_payee(advisor, draft, {"rib_holder", "rib_iban"})
    text = letter_text(services.approve(advisor, draft))
    assert "69001 Lyon 1er Arrondissement" in text
    assert "[ND]" not in text
