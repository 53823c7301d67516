"""The diagnostic's buttons in a real browser: every label whole, at a desktop's and a phone's width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.diagnostics.conftest import completed
from tests.diagnostics.helpers import all_minimum
from tremplin.diagnostics import services

pytestmark = pytest.mark.browser

WIDTHS = [1280, 375]


def assert_shows_its_whole_label(button):
    """The button is at least as wide and as tall as its text: nothing is cut off."""
    expect(button).to_be_visible()
    box = button.bounding_box()
    text_width, text_height = button.evaluate(
        """(el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const rect = range.getBoundingClientRect();
            return [rect.width, rect.height];
        }"""
    )
    overflow = button.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert box["width"] >= text_width and box["height"] >= text_height and not overflow, (box, text_width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_step_buttons_show_their_whole_label(page, log_in, screenshot, owner, company, width):
    diagnostic, _created = services.start(owner, company)
    log_in(owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("diagnostics:step", args=[diagnostic.pk, 2]))
    screenshot(f"etape-{width}")
    for name in ("Étape précédente", "Enregistrer et finir plus tard", "Étape suivante"):
        assert_shows_its_whole_label(page.get_by_role("button", name=name))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_results_page_links_are_labelled(page, log_in, screenshot, owner, company, width):
    diagnostic = completed(owner, company, all_minimum())
    log_in(owner)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("diagnostics:results", args=[diagnostic.pk]))
    screenshot(f"resultats-{width}")
    download = page.get_by_role("link", name="Télécharger le rapport (PDF)")
    assert_shows_its_whole_label(download)
