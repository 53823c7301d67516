"""Opening day in a real browser: the owner checks her draft during the pre-registration, sees it ready and
the submission closed; at the opening she clicks once and sees her receipt and her place on the waiting
list, which moves up without a reload when a file ahead is withdrawn."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(page, screenshot, label):
    screenshot(f"{label}-1280")
    page.set_viewport_size(PHONE)
    screenshot(f"{label}-375")
    page.set_viewport_size(DESKTOP)


def test_the_owner_checks_her_draft_before_the_opening_then_submits_in_one_click(
    page, log_in, screenshot, owner, company
):
    opens = timezone.now() + timedelta(days=2)
    scheme = SchemeFactory(
        name="Chèque numérique 2027",
        preregistration_opens_at=timezone.now() - timedelta(days=1),
        window_opens_at=opens,
        window_closes_at=opens + timedelta(days=60),
    )
    # One voucher of 2,000 € fits in the budget: the files after the first wait.
    for year in {timezone.localtime(opens).year, timezone.localdate().year}:
        EnvelopeFactory(scheme=scheme, year=year, total_cents=200_000)
    draft = ApplicationFactory(scheme=scheme, owner=owner, company=company)
    others = [ApplicationFactory(scheme=scheme) for _ in range(2)]

    log_in(owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    expect(page.get_by_role("heading", name="Préinscription : le dépôt ouvre le")).to_be_visible()
    submit = page.get_by_role("button", name="Déposer ma demande")
    expect(submit).to_be_disabled()

    page.get_by_role("button", name="Vérifier mon dossier").click()
    expect(page.get_by_role("heading", name="Votre dossier est prêt")).to_be_visible()
    expect(page.locator("#check-result")).to_contain_text("revenez cliquer sur « Déposer ma demande »")
    expect(page.get_by_role("button", name="Déposer ma demande")).to_be_disabled()
    both_widths(page, screenshot, "pret")
    draft.refresh_from_db()
    assert draft.checked_at is not None and draft.state == State.DRAFT

    # Opening time: two other companies were quicker (one funded, one waiting).
    Scheme.objects.filter(pk=scheme.pk).update(window_opens_at=timezone.now() - timedelta(seconds=1))
    for other in others:
        services.submit(other.owner, other)
    page.clock.install()
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    expect(
        page.get_by_role("heading", name="Votre dossier est prêt : vous pouvez le déposer")
    ).to_be_visible()
    screenshot("ouverture")
    page.get_by_role("button", name="Déposer ma demande").click()

    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Demande reçue par nos serveurs le")
    expect(receipt).to_contain_text("Numéro d'arrivée : 3 (budget de la région Auvergne-Rhône-Alpes).")
    expect(receipt).to_contain_text("Vous êtes 2e sur la liste d'attente de la région Auvergne-Rhône-Alpes.")
    expect(receipt).to_have_attribute("aria-live", "polite")
    both_widths(page, screenshot, "recu")

    # The file waiting ahead is withdrawn: a minute later the page shows the new place, without a reload.
    services.withdraw(others[1].owner, others[1])
    page.clock.run_for(61_000)
    expect(receipt).to_contain_text("Vous êtes 1er sur la liste d'attente de la région Auvergne-Rhône-Alpes.")
    screenshot("place-mise-a-jour")
    assert Application.objects.get(pk=draft.pk).waitlist_position() == 1
