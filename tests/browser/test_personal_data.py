"""An owner finds "Mes données personnelles" in the footer and downloads her data, in a real browser."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import ApplicationFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def test_an_owner_downloads_her_data_from_the_footer(page, log_in, screenshot, owner, scheme, company):
    application = ApplicationFactory(scheme=scheme, owner=owner, company=company)
    log_in(owner)

    page.get_by_role("contentinfo").get_by_role("link", name="Mes données personnelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données personnelles")
    table = page.get_by_role("table", name="Ce que la plateforme garde sur vous")
    expect(table.get_by_role("row", name="Vos demandes de chèque 1")).to_be_visible()
    screenshot("page-1280")
    for name in ("Télécharger (PDF, à lire)", "Télécharger (JSON, pour un autre service)"):
        button = page.get_by_role("button", name=name)
        expect(button).to_have_text(name)  # the label shows, not an icon alone
        assert button.bounding_box()["width"] > 200, name

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger (JSON, pour un autre service)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["applications"][0]["reference"] == application.reference
    assert download.value.suggested_filename.startswith("mes-donnees-tremplin-")

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger (PDF, à lire)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.set_viewport_size(PHONE)
    screenshot("page-375")
