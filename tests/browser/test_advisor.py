"""The advisor in a real browser: her review queue, then a file from it."""

import pytest
from playwright.sync_api import expect

from tremplin.vouchers import services

pytestmark = pytest.mark.browser


def test_advisor_opens_a_file_from_her_review_queue(page, log_in, screenshot, advisor, draft):
    submitted = services.submit(draft.owner, draft)

    log_in(advisor)
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="File d'instruction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers à instruire")
    row = page.get_by_role("row").filter(has_text=submitted.reference)
    expect(row).to_contain_text(draft.company.display_name)
    screenshot("file-d-instruction")

    row.get_by_role("link", name=submitted.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {submitted.reference}")
    expect(page.get_by_text(draft.project_description)).to_be_visible()
    screenshot("dossier")
