"""The fraud flags in a real browser: an auditor finds the list in her menu, filters it by kind, opens a
flagged file and reads why, at desktop and phone widths (every page audited by axe)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.vouchers.models import State

pytestmark = pytest.mark.browser

IBAN = "FR7630006000011234567890189"
PHONE = {"width": 375, "height": 800}


def test_an_auditor_finds_the_flagged_files_and_reads_why_on_the_file(
    page, log_in, screenshot, auditor, scheme, rhone
):
    first, second = (
        ApplicationFactory(
            scheme=scheme, state=State.UNDER_REVIEW, company=CompanyFactory(departement=rhone), iban=IBAN
        )
        for _ in range(2)
    )
    log_in(auditor)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Signalements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signalements à examiner")
    table = page.get_by_role("table", name="Dossiers signalés")
    first_column = table.locator("tbody td:first-child")
    expect(first_column.get_by_role("link", name=first.reference)).to_be_visible()
    expect(first_column.get_by_role("link", name=second.reference)).to_be_visible()
    screenshot("list-1280")

    # Another kind: none of these files.
    page.get_by_label("Type de signalement").select_option("at_cap")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucun dossier signalé.")).to_be_visible()
    screenshot("list-other-kind")
    page.get_by_label("Type de signalement").select_option("shared_iban")
    page.get_by_role("button", name="Filtrer").click()
    expect(first_column.get_by_role("link", name=first.reference)).to_be_visible()
    page.set_viewport_size(PHONE)
    screenshot("list-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    first_column.get_by_role("link", name=first.reference).click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("vouchers:detail", args=[first.pk])) + "#signalements$")
    )
    block = page.locator("#signalements")
    expect(block).to_contain_text("Signalements à examiner")
    expect(block).to_contain_text(f"L'IBAN {IBAN} est aussi celui de {second.company.display_name}")
    screenshot("file-1280")
    block.get_by_role("link", name=second.reference).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("vouchers:detail", args=[second.pk])) + "$"))
    expect(page.locator("#signalements")).to_contain_text(first.reference)
    page.set_viewport_size(PHONE)
    screenshot("file-375")
