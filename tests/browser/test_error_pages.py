"""The error pages in a real browser, at desktop and phone widths: the site's layout, the reason,
and buttons that lead on."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def test_a_visitor_on_an_unknown_address_finds_the_way_home(page, screenshot, live_server):
    response = page.goto("/cette-page-n-existe-pas/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("link", name="Vérifier mon éligibilité").last).to_be_visible()
    screenshot("404-1280")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("link", name="Retour à l'accueil")).to_be_visible()
    screenshot("404-375")

    page.get_by_role("link", name="Retour à l'accueil").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_manager_refused_a_page_reads_why_and_goes_to_her_payments(page, log_in, screenshot, manager):
    log_in(manager)

    response = page.goto(reverse("diagnostics:start"))

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous n'avez pas accès à cette page")
    expect(page.get_by_text("Cette page n'est pas accessible avec votre profil.")).to_be_visible()
    screenshot("403-1280")
    page.set_viewport_size(PHONE)
    screenshot("403-375")

    page.get_by_role("main").get_by_role("link", name="Paiements").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("payments:batches")) + "$"))


def test_a_failing_page_answers_the_500_page_without_account_tools(page, screenshot, monkeypatch):
    monkeypatch.setattr("tremplin.front.views.open_scheme", lambda: 1 / 0)

    response = page.goto("/")

    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Le service rencontre un problème")
    expect(page.get_by_role("link", name="Se connecter")).to_have_count(0)
    screenshot("500-1280")
    page.set_viewport_size(PHONE)
    screenshot("500-375")
