"""De minimis in a real browser: the owner declares a company linked to hers on the application form, at
1280 and 375 px; a manager reads the State-aid register page and its file."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, CompanyFactory, SchemeFactory
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser
QUESTION = "Votre entreprise est-elle liée à d'autres entreprises ?"


@pytest.mark.parametrize("width", [1280, 375])
def test_the_owner_declares_a_linked_company_in_the_application_form(
    page, log_in, screenshot, audit, draft, width
):
    log_in(draft.owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    audit()
    # A linked company's fields show once she answers "Oui", not before: most owners answer "Non".
    expect(page.get_by_role("group", name="Entreprises liées à la vôtre")).to_be_hidden()
    page.get_by_role("group", name=QUESTION).get_by_text(
        "Oui", exact=True
    ).click()  # DSFR draws the radio over its label
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Oui", exact=True)).to_be_checked()
    page.get_by_label("SIREN de l'entreprise liée").fill("443 061 841")
    page.get_by_label("Nom de l'entreprise liée").fill("Société Sœur")
    page.get_by_label("Ses aides de minimis des 3 dernières années").fill("12 500")
    screenshot(f"saisie-{width}")
    page.get_by_role("button", name="Ajouter cette entreprise liée").click()

    expect(page.get_by_text("L'entreprise liée est ajoutée à votre déclaration.")).to_be_visible()
    table = page.get_by_role("list", name="Entreprises liées déclarées")
    expect(table.get_by_role("listitem")).to_have_count(1)
    expect(table).to_contain_text("Société Sœur")
    expect(table).to_contain_text("443061841")
    expect(table).to_contain_text("12\u202f500 €")
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Oui", exact=True)).to_be_checked()
    screenshot(f"declaree-{width}")
    draft.refresh_from_db()
    assert draft.has_linked_companies is True
    assert list(draft.linked_companies.values_list("siren", "name", "de_minimis_cents")) == [
        ("443061841", "Société Sœur", 1_250_000)
    ]

    # Her own SIREN is refused, in plain French, next to the field's block.
    page.get_by_label("SIREN de l'entreprise liée").fill(draft.company.siren)
    page.get_by_label("Ses aides de minimis des 3 dernières années").fill("0")
    page.get_by_role("button", name="Ajouter cette entreprise liée").click()
    expect(page.get_by_text("C'est le SIREN de votre propre entreprise")).to_be_visible()
    screenshot(f"refus-{width}")

    page.get_by_role("button", name="Retirer l'entreprise 443061841").click()
    expect(page.get_by_text("L'entreprise liée est retirée de votre déclaration.")).to_be_visible()
    audit()
    assert not draft.linked_companies.exists()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_reads_the_state_aid_register(page, log_in, screenshot, manager, rhone, width):
    scheme = SchemeFactory(slug="cheque-numerique", name="Chèque numérique")
    company = CompanyFactory(siren="732829320", denomination="Boulangerie Martin", departement=rhone)
    app = ApplicationFactory(
        company=company, scheme=scheme, state=State.PAID, amount_cents=250_000, reserved_cents=250_000
    )
    Application.objects.filter(pk=app.pk).update(
        decided_at=datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Paris"))
    )
    log_in(manager)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("steering:state_aid_register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des aides d'État (aides de minimis)")
    table = page.get_by_role("table", name="Les 10 dernières lignes du fichier, la plus récente en premier")
    expect(table).to_contain_text(f"TN-cheque-numerique-{app.created_at.year}-{app.pk:06d}")
    expect(table).to_contain_text("2500.00")
    screenshot(f"registre-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("identifiant_aide,reference_dossier,siren_beneficiaire")
    assert "Boulangerie Martin" in text
