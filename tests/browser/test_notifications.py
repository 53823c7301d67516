"""The bell in a real browser: it counts the unread notifications, opens their list, each leads to its file."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tremplin.vouchers import services

pytestmark = pytest.mark.browser


def test_the_owner_opens_her_notifications_from_the_bell(page, log_in, screenshot, draft):
    services.submit(draft.owner, draft)
    log_in(draft.owner)
    bell = page.get_by_role("link", name="Mes notifications 1 non lue")
    expect(bell).to_be_visible()
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes notifications")
    expect(page.get_by_text("Non lue", exact=True)).to_be_visible()
    screenshot("liste")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("liste-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name=f"Votre demande {draft.reference} est déposée").click()
    assert page.url.endswith(reverse("vouchers:detail", args=[draft.pk]))
    expect(page.get_by_role("link", name="Mes notifications", exact=True)).to_be_visible()  # none unread
    screenshot("dossier")

    page.go_back()
    page.reload()
    expect(page.get_by_text("Non lue", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Tout marquer comme lu")).to_have_count(0)
    screenshot("lue")
