"""Autosave in a real browser: what is typed while a save is on its way is saved too."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def wait_until(page, condition, timeout_ms=8000):
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError("The condition never held.")
        page.wait_for_timeout(100)
        waited += 100


def test_a_field_typed_while_the_draft_is_being_saved_is_saved_too(page, log_in, screenshot, draft):
    log_in(draft.owner)
    url = reverse("vouchers:edit", args=[draft.pk])
    held, answered = [], []

    def hold_the_first_autosave(route):
        request = route.request
        if request.method == "POST" and request.headers.get("x-autosave") == "1" and not held:
            held.append(route)  # answered later: the save is still on its way while she types
        else:
            route.continue_()

    page.route(f"**{url}", hold_the_first_autosave)
    page.on(
        "response",
        lambda response: (
            answered.append(response)
            if response.request.method == "POST" and response.request.headers.get("x-autosave") == "1"
            else None
        ),
    )
    page.goto(url)
    status = page.get_by_role("status")

    page.get_by_label("Votre projet en quelques phrases").fill("Une boutique en ligne pour nos fromages.")
    page.get_by_label("Nombre de salariés").focus()  # leaving the field saves it
    wait_until(page, lambda: held)
    expect(status).to_have_text("Enregistrement en cours…")  # said while the save is on its way

    page.get_by_label("Nombre de salariés").fill("4")
    page.get_by_label("Chiffre d'affaires du dernier exercice (en euros)").focus()
    held[0].continue_()
    wait_until(page, lambda: len(answered) >= 2)
    expect(status).to_contain_text("Brouillon enregistré à")
    screenshot("enregistre")

    page.reload()
    expect(page.get_by_label("Votre projet en quelques phrases")).to_have_value(
        "Une boutique en ligne pour nos fromages."
    )
    expect(page.get_by_label("Nombre de salariés")).to_have_value("4")
    screenshot("recharge")
    draft.refresh_from_db()
    assert (draft.project_description, draft.declared_headcount) == (
        "Une boutique en ligne pour nos fromages.",
        4,
    )


def test_the_banks_answer_on_a_new_iban_shows_without_a_reload(page, log_in, screenshot, scheme):
    from tests.factories import ApplicationFactory, register_account

    draft = ApplicationFactory(scheme=scheme, iban="", standing=False)
    iban = "FR7630006000011234567890189"
    register_account(iban, draft.company.denomination)
    log_in(draft.owner)
    page.goto(reverse("vouchers:edit", args=[draft.pk]))
    block = page.locator("#payee-status")
    expect(block).to_contain_text("Aucun IBAN n'est encore indiqué.")

    page.get_by_label("IBAN du compte de l'entreprise").fill(iban)
    page.get_by_label("Titulaire du compte").fill(draft.company.denomination)
    page.get_by_label("Votre projet en quelques phrases").focus()  # leaving the field saves it

    expect(block).to_contain_text("Compte vérifié auprès de la banque")
    expect(block).not_to_contain_text("Aucun IBAN")
    screenshot("iban-verifie")
