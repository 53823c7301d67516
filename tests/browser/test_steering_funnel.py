"""The funnel, delays and network pages in a real browser, at 1280 and 375 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import OrganisationFactory
from tests.steering.conftest import Files
from tremplin.network.models import Match, Request, Theme
from tremplin.steering import refresh

pytestmark = pytest.mark.browser
DAY = timedelta(days=1)


@pytest.fixture
def programme(scheme, advisor, rhone):
    files, now = Files(scheme), timezone.now()
    for i in range(8):
        submitted = now - (20 + 9 * i) * DAY
        files.make(
            submitted - DAY,
            "approved",
            submitted=submitted,
            decided=submitted + (3 + 4 * i) * DAY,
            advisor=advisor,
        )
    files.make(now - 30 * DAY, "under_review", submitted=now - 25 * DAY, advisor=advisor)
    files.make(now - 10 * DAY)
    theme = Theme.objects.create(code="site-internet", label="Site internet")
    for i in range(5):
        request = Request.objects.create(
            siret="12345678900011", email="a@example.fr", theme=theme, description="Site", departement=rhone
        )
        Request.objects.filter(pk=request.pk).update(created_at=now - (10 + i) * DAY)
        match = Match.objects.create(request=request, advisor=advisor, state="taking_care")
        Match.objects.filter(pk=match.pk).update(
            created_at=now - (10 + i) * DAY + (20 * i) * timedelta(hours=1), taken_care_at=now - (8 + i) * DAY
        )
    OrganisationFactory()
    refresh.refresh_all()  # the dates moved without a signal, after the files' own changes asked for it


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_reads_the_funnel_delays_and_network(
    page, log_in, audit, screenshot, manager, programme, width
):
    log_in(manager)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/pilotage/")
    audit()
    if width < 768:
        page.get_by_role("button", name="Pages du pilotage").click()
    page.get_by_role("link", name="Parcours des dossiers").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours des dossiers")
    expect(page.locator("#stage-approved")).to_contain_text("8")
    expect(page.locator("#summary")).to_contain_text("10 dossiers ont été ouverts")
    # The charts and the form fit the screen (wide tables scroll inside their own frame).
    overflowing = page.evaluate(
        "[...document.querySelectorAll('main figure, main svg, main form')]"
        ".filter(e => e.getBoundingClientRect().right > innerWidth + 1).length"
    )
    assert overflowing == 0
    screenshot(f"parcours-{width}")

    page.get_by_role("link", name="délais", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Délais de décision et de paiement")
    expect(page.locator("#decision-advisors")).to_contain_text("Alice Durand")
    screenshot(f"delais-{width}")

    page.get_by_role("link", name="réseau", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau de conseillers")
    expect(page.locator("#summary")).to_contain_text("5 demandes d'accompagnement")
    screenshot(f"reseau-{width}")

    page.get_by_label("Du", exact=True).fill("2026-03-01")
    page.get_by_label("Au", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("alert")).to_contain_text("La date de début doit précéder la date de fin.")
    screenshot(f"erreur-{width}")
