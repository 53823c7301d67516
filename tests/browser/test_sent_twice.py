"""A form clicked twice sends once (issue 13): the owner double-clicks "Déposer ma demande"; an advisor
whose browser runs no script double-clicks "Je prends ce dossier", and the server does it once."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.second_factor import fresh_code
from tremplin.accounts import second_factor
from tremplin.core.models import AuditEvent
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser


def events(application, action):
    return AuditEvent.objects.for_object(application).filter(action=action).count()


def test_a_double_click_on_submit_submits_once(page, log_in, screenshot, draft):
    log_in(draft.owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    expect(page.get_by_role("button", name="Déposer ma demande")).to_be_visible()
    screenshot("brouillon")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)

    page.get_by_role("button", name="Déposer ma demande").dblclick()

    expect(page.get_by_role("heading", level=1)).to_contain_text(draft.reference)
    expect(page.get_by_text("n'a pas pu être déposée")).to_have_count(0)
    screenshot("depose")
    assert len(sent) == 1, sent  # the second click sent nothing
    assert Application.objects.get(pk=draft.pk).state == State.SUBMITTED
    assert events(draft, "submit") == 1


def test_without_scripts_a_double_click_is_still_done_once(browser, live_server, advisor, draft):
    submitted = services.submit(draft.owner, draft)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False, timezone_id=settings.TIME_ZONE
    )
    page = context.new_page()
    try:
        page.goto(reverse("accounts:login"))
        page.locator("main form [name=username]").fill(advisor.email)
        page.locator("main form [name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        if second_factor.confirmed_device(advisor) is not None:
            page.locator("main form [name=code]").fill(fresh_code(advisor))
            page.locator("main form button[type=submit]").first.click()
        expect(page.get_by_role("banner").get_by_role("button", name="Se déconnecter")).to_be_visible()
        page.goto(reverse("vouchers:detail", args=[submitted.pk]))

        # The browser sends the second click or not, depending on how far the first send has gone;
        # tests/vouchers/test_sent_twice.py sends it twice for sure.
        page.get_by_role("button", name="Je prends ce dossier").dblclick()

        expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {submitted.reference}")
        expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        context.close()
    assert Application.objects.get(pk=submitted.pk).state == State.UNDER_REVIEW
    assert events(submitted, "start_review") == 1
