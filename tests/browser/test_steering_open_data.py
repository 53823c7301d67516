"""A programme manager finds the open data among the steering pages and downloads the SCDL file, in a real
browser, at 1280 and 375 px."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.vouchers.models import State

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def test_a_manager_downloads_the_granted_vouchers(page, log_in, audit, screenshot, manager, scheme):
    for n in range(3):
        ApplicationFactory(
            scheme=scheme,
            company=CompanyFactory(denomination=f"Atelier {n}"),
            state=State.APPROVED,
            amount_cents=150_000,
            submitted_at=timezone.now() - timedelta(days=20),
            decided_at=timezone.now() - timedelta(days=10),
            valid_until=date.today() + timedelta(days=170),
        )
    log_in(manager)
    page.goto("/pilotage/")
    audit()
    page.get_by_role("navigation", name="Pilotage").get_by_role("link", name="Données ouvertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes")
    section = page.get_by_role("region", name="Chèques accordés (format SCDL subventions)")
    expect(section).to_contain_text("Pas encore générés")
    screenshot("page-1280")

    with page.expect_download() as download:
        section.get_by_role("link", name="Télécharger en CSV").click()
    assert download.value.suggested_filename.startswith("tremplin-subventions-")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert sorted(row["nomBeneficiaire"] for row in rows) == ["Atelier 0", "Atelier 1", "Atelier 2"]
    assert {row["montant"] for row in rows} == {"1500.00"}

    page.reload()
    expect(section).to_contain_text("Fichiers générés le")
    expect(section).to_contain_text("3 lignes")
    page.set_viewport_size(PHONE)
    screenshot("page-375")
