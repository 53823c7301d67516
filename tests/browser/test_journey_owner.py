"""The business owner's whole journey in a real browser, with the keyboard only: from the quick check of
her SIREN to the diagnostic, the application, the provider, the submission and, once the advisor has
granted the voucher, the payment claim and its status.

No `.click()` and no `.fill()`: focus moves with Tab (`tab_to`), text is typed with `page.keyboard`, buttons
and links are pressed with Enter or Space, radios and selects are set with the arrow keys. At each main
control the focus must be visible (an outline or a box-shadow). The one exception is a file input:
Playwright cannot drive the operating system's file dialog, so the file is given with `set_input_files`
once the input has been reached with Tab. The advisor's decisions are service calls, not the browser.
Run at a desktop's and a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    IBAN_FR,
    VALID_SIRENS,
    CompanyFactory,
    ProviderFactory,
    pdf_file,
    register_account,
    register_representative,
)
from tests.providers.conftest import make_offer
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser

WIDTHS = [1280, 375]
FOCUSED = "(el) => el === document.activeElement"
# What the focused element is, for a failure message.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing (the page itself)";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim();
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} « ${name.slice(0, 60)} »`;
}"""
# DSFR draws a checkbox or a radio, and its focus ring, on its label's ::before.
FOCUS_RING = """(el) => {
  const drawn = ["checkbox", "radio"].includes(el.type) && el.nextElementSibling;
  const style = drawn ? getComputedStyle(el.nextElementSibling, "::before") : getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


def tab_to(page, locator, max_presses=60, backwards=False):
    """Press Tab (Shift+Tab when `backwards`) until `locator` has the focus; fail saying where the focus
    went otherwise. Returns the locator."""
    key = "Shift+Tab" if backwards else "Tab"
    if not locator.count():
        pytest.fail(f"{locator} is not on the page (or is hidden from assistive technologies)")
    seen = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        if locator.evaluate(FOCUSED):
            return locator
        seen.append(page.evaluate(DESCRIBE_FOCUS))
    pytest.fail(
        f"{locator} never got the focus after {max_presses} presses of {key}; the focus went to: "
        + " → ".join(seen[-12:])
    )


def assert_focus_visible(locator):
    """The focused control shows it: a computed outline or box-shadow (DSFR draws an outline)."""
    expect(locator).to_be_focused()
    assert locator.evaluate(FOCUS_RING), f"{locator} has the focus but no visible focus indicator"


def press(page, locator, key="Enter", max_presses=60):
    """Reach a link or button with Tab, check its focus ring, then press it."""
    tab_to(page, locator, max_presses)
    assert_focus_visible(locator)
    page.keyboard.press(key)


def type_into(page, locator, text, max_presses=60):
    tab_to(page, locator, max_presses)
    assert_focus_visible(locator)
    page.keyboard.type(text)


def follow_menu(page, name):
    """The main menu's link, from the page's start; on a phone it is behind the "Menu" button."""
    burger = page.get_by_role("button", name="Menu", exact=True)
    if burger.is_visible():
        press(page, burger)
        expect(page.get_by_role("button", name="Fermer")).to_be_visible()
    press(page, page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name))


def go_home(page):
    follow_menu(page, "Accueil")
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))


def answer_the_step(page):
    """Answer every question of a diagnostic step with the keyboard: Space ticks the first box of each
    ticks question, and the first radio of each group (which Tab reaches once per group) is chosen with
    Space, the arrow keys moving to the next value on every other group. Stops on the step's main button."""
    ticked = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        kind, name, checked = page.evaluate(
            "() => { const el = document.activeElement;"
            " return [el.type || el.tagName, el.type === 'submit' ? el.innerText : el.name, !!el.checked]; }"
        )
        if kind == "submit" and name.strip() in ("Étape suivante", "Voir mes résultats"):
            return
        if kind in ("radio", "checkbox") and not ticked:
            assert_focus_visible(page.locator(":focus"))
        if kind == "radio" and not checked:
            if len(ticked) % 2:
                page.keyboard.press("ArrowRight")  # moves to the next value and selects it
            else:
                page.keyboard.press("Space")
            ticked.add(name)
        elif kind == "checkbox" and name not in ticked:
            page.keyboard.press("Space")
            ticked.add(name)
    pytest.fail("The step's main button was never reached with Tab.")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_owner_goes_from_the_quick_check_to_her_payment_with_the_keyboard_only(
    page, log_in, audit, screenshot, owner, scheme, rhone, advisor, width
):
    company = CompanyFactory(siren=VALID_SIRENS[0], denomination="Fromagerie Durand", departement=rhone)
    register_representative(company, "Camille", "Martin", "1980-04", "Gérante")
    register_account(IBAN_FR, "Fromagerie Durand")
    provider = ProviderFactory(name="Atelier Web Lumière")
    make_offer(provider, "website", departements=[rhone])

    log_in(owner)  # the authentication step, done by the fixture
    page.set_viewport_size({"width": width, "height": 900})

    # Home: the quick eligibility check.
    go_home(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("accueil")
    type_into(page, page.get_by_label("Numéro SIREN ou SIRET").first, "732 829 320")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Éligibilité de Fromagerie Durand")
    screenshot("verification")

    # The diagnostic, every step answered.
    press(page, page.get_by_role("link", name="Faire le diagnostic numérique"))
    start = page.get_by_role("button", name="C'est la bonne entreprise : commencer")
    expect(start).to_be_visible()
    screenshot("diagnostic")
    press(page, start)
    for number in range(1, 7):
        expect(page).to_have_url(re.compile(rf"/diagnostic/\d+/etape-{number}/$"))
        answer_the_step(page)
        expect(page.get_by_role("status").filter(has_text="Réponses enregistrées à")).to_be_visible()
        main_button = page.get_by_role(
            "button", name="Voir mes résultats" if number == 6 else "Étape suivante"
        )
        assert_focus_visible(main_button)  # still focused once the answers are saved
        screenshot(f"etape-{number}")
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/diagnostic/\d+/resultats/$"))
    screenshot("resultats")

    # "Demander le chèque": the company carried over, who applies said with arrows and typing.
    press(page, page.get_by_role("link", name="Demander le chèque numérique"))
    expect(page.get_by_role("heading", name="Fromagerie Durand")).to_be_visible()
    capacity = page.get_by_label("Je suis son représentant légal")
    tab_to(page, page.locator(f"input[name='{capacity.get_attribute('name')}']").first)
    if not capacity.evaluate(FOCUSED):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(capacity).to_be_checked()
    birth = page.get_by_label("Votre date de naissance")
    tab_to(page, birth)
    # Debian's Chromium has only its English resources: its date field reads mm/dd/yyyy (docs/testing.md).
    page.keyboard.type("04121980")
    expect(birth).to_have_value("1980-04-12")
    screenshot("qui-demande")
    press(page, page.get_by_role("button", name="C'est mon entreprise : commencer ma demande"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma demande de chèque numérique")
    screenshot("brouillon")
    application = Application.objects.get()
    assert application.state == State.DRAFT

    # The draft, field by field. Leaving a field saves the draft: the focus stays where she went.
    type_into(page, page.get_by_label("Nombre de salariés"), "4")
    revenue = page.get_by_label("Chiffre d'affaires du dernier exercice (en euros)")
    type_into(page, revenue, "180000", max_presses=3)
    expect(page.get_by_role("status").filter(has_text="Brouillon enregistré à")).to_be_visible()
    expect(revenue).to_be_focused()  # the autosave of the headcount did not take the focus away
    type_into(page, page.get_by_label("Aides « de minimis » reçues"), "0", max_presses=3)
    # Her company is linked to no other: Tab reaches the group's first answer, the arrow moves to "Non".
    linked = page.get_by_role("group", name="Votre entreprise est-elle liée à d'autres entreprises ?")
    tab_to(page, linked.get_by_label("Oui", exact=True), max_presses=1)
    assert_focus_visible(linked.get_by_label("Oui", exact=True))
    page.keyboard.press("ArrowDown")
    expect(linked.get_by_label("Non", exact=True)).to_be_checked()
    expect(page.get_by_role("group", name="Entreprises liées à la vôtre")).to_be_hidden()
    category = page.get_by_label("Type de dépense")
    tab_to(page, category, max_presses=3)
    assert_focus_visible(category)
    choose_with_arrows(page, category, "Site internet")
    type_into(
        page,
        page.get_by_label("Votre projet en quelques phrases"),
        "Un site pour prendre les commandes de fromages.",
        max_presses=3,
    )
    screenshot("brouillon-rempli")

    # The provider, chosen on the picker's page; what was typed is saved on the way.
    press(page, page.get_by_role("button", name="Choisir un prestataire"), max_presses=3)
    expect(page).to_have_url(re.compile(r"/prestataires/dossiers/\d+/prestataire/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un prestataire")
    screenshot("prestataires")
    press(page, page.get_by_role("button", name="Choisir Atelier Web Lumière"))
    expect(page.get_by_text("Prestataire choisi : Atelier Web Lumière.")).to_be_visible()
    expect(page.get_by_label("Votre projet en quelques phrases")).to_have_value(
        "Un site pour prendre les commandes de fromages."
    )
    audit()
    # Back on the draft where she left it: the next Tabs go on from the provider, not from the page's top.
    tab_to(page, page.get_by_role("button", name="Choisir un autre prestataire"), max_presses=1)
    type_into(page, page.get_by_label("Montant de la dépense prévue"), "4 000", max_presses=2)
    give_file(page, page.get_by_label("Devis du prestataire"), "devis.pdf")
    type_into(page, page.get_by_label("IBAN du compte de l'entreprise"), IBAN_FR)
    type_into(page, page.get_by_label("Titulaire du compte"), "Fromagerie Durand", max_presses=3)
    give_file(page, page.get_by_label("Relevé d'identité bancaire (RIB) du compte"), "rib.pdf")
    expect(page.get_by_role("status").filter(has_text="Brouillon enregistré à")).to_be_visible()
    screenshot("brouillon-complet")
    press(page, page.get_by_role("button", name="Déposer ma demande"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier")
    screenshot("deposee")
    application = Application.objects.get()
    assert application.state == State.SUBMITTED
    assert (application.provider, application.planned_spend_cents) == (provider, 400_000)

    # The advisor grants the voucher (service calls, not the browser).
    application = services.start_review(advisor, application)
    services.approve(advisor, application)

    # She comes back: her files, this one, the payment claim with the invoice.
    go_home(page)
    audit()
    follow_menu(page, "Mes dossiers")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("mes-dossiers")
    table = page.get_by_role("table", name="Liste des dossiers")
    if table.evaluate("(el) => el.scrollWidth > el.clientWidth"):  # on a phone, the columns scroll sideways
        tab_to(page, table)
        assert_focus_visible(table)
        page.keyboard.press("ArrowRight")
        expect(table).not_to_have_js_property("scrollLeft", 0)
        page.keyboard.press("Home")
    press(page, page.get_by_role("link", name=application.reference))
    expect(page.get_by_role("heading", name="Demander le paiement du chèque")).to_be_visible()
    screenshot("cheque-accorde")
    give_file(page, page.get_by_label("Facture du prestataire"), "facture.pdf")
    give_file(page, page.get_by_label("Justificatif de paiement"), "virement.pdf")
    type_into(page, page.get_by_label("Montant de la facture"), "3 800", max_presses=3)
    press(page, page.get_by_role("button", name="Envoyer ma demande de paiement"), max_presses=3)
    expect(page.get_by_text("Votre demande de paiement est envoyée.")).to_be_visible()
    screenshot("paiement-demande")
    application.refresh_from_db()
    expect(page.get_by_text("Demande de paiement déposée", exact=True).first).to_be_visible()
    assert application.state == State.CLAIM_SUBMITTED
    assert application.claim.invoiced_spend_cents == 380_000


def choose_with_arrows(page, select, label, max_presses=20):
    """A closed select takes ArrowDown as "next option", as a person does with the keyboard."""
    for _ in range(max_presses):
        if select.evaluate("(el) => el.selectedOptions[0].label") == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"« {label} » is not among the options of {select}")


def give_file(page, file_input, name):
    """The one exception to the keyboard: a native file dialog cannot be driven, so once the input has the
    focus (reached with Tab like any control) the file is handed to it with `set_input_files`."""
    tab_to(page, file_input)
    assert_focus_visible(file_input)
    file_input.set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_file(name).read()}]
    )
