"""The budget page in a real browser, as a programme manager and as an organisation's head, at 1280 and 375 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.payments.flows import approved_application, claim_approved_application
from tremplin.payments import services as payments
from tremplin.schemes.models import LedgerEntry
from tremplin.steering import stock_facts

pytestmark = pytest.mark.browser


@pytest.fixture
def history(scheme, advisor, manager):
    """Five files over three months on the Rhône's envelope (their ledger dated back), two of them paid."""
    scheme.envelopes.update(total_cents=1_500_000)
    files = [claim_approved_application(scheme, advisor) for _ in range(2)]
    files += [approved_application(scheme, advisor) for _ in range(3)]
    payments.mark_batch_paid(manager, payments.create_batch(manager, scheme))
    now = timezone.now()
    for days, application in zip((80, 65, 50, 35, 5), files, strict=True):
        LedgerEntry.objects.filter(application=application).exclude(kind=LedgerEntry.Kind.DISBURSE).update(
            at=now - timedelta(days=days)
        )
    LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DISBURSE).update(at=now - timedelta(days=20))
    stock_facts.refresh()  # the dates moved without a signal
    return files


def shoot_at_both_widths(page, screenshot, label):
    screenshot(label)
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(f"{label}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_manager_reads_the_budget_its_burn_and_forecast(page, log_in, audit, screenshot, manager, history):
    log_in(manager)
    page.goto(reverse("steering:index"))
    audit()
    page.locator(".fr-sidemenu").get_by_role("link", name="Budget", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget du programme")
    expect(page.locator("[data-figure=committed]")).to_have_text("10\u202f000 €")
    expect(page.locator("[data-figure=disbursed]")).to_have_text("4\u202f000 €")
    expect(page.locator("[data-figure=free]")).to_have_text("5\u202f000 €")
    expect(page.locator("[data-figure=forecast]")).to_contain_text("le budget libre serait épuisé le")
    expect(page.get_by_role("img", name="Engagé et payé cumulés par mois")).to_be_visible()
    expect(page.locator("table caption").filter(has_text="à la fin de chaque mois")).to_be_visible()
    shoot_at_both_widths(page, screenshot, "budget")


def test_an_organisation_head_sees_their_territory(page, log_in, screenshot, advisor, history):
    advisor.heads_organisation = True
    advisor.save()
    log_in(advisor)
    page.goto(reverse("steering:budget"))
    expect(page.locator("#steering-scope")).to_contain_text(advisor.organisation.name)
    expect(page.locator("#budget-territory-note")).to_be_visible()
    expect(page.locator("[data-figure=free]")).to_have_count(0)
    shoot_at_both_widths(page, screenshot, "budget-territoire")
