"""The message thread in a real browser: the owner answers with two files, the advisor sees and opens them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import image_bytes, pdf_bytes
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.browser

PDF = pdf_bytes()
# A real PNG (a flat blue rectangle), so that the browser shows it.
PNG = image_bytes("PNG", size=(120, 80))


def test_owner_answers_with_two_files_and_the_advisor_opens_one(page, log_in, screenshot, advisor, draft):
    application = services.start_review(advisor, services.submit(draft.owner, draft))
    services.post_message(advisor, application, "Envoyez le devis signé et une photo de la vitrine.")

    log_in(draft.owner)
    page.goto(reverse("vouchers:detail", args=[application.pk]))
    answer = page.locator("section", has=page.get_by_role("heading", name="Répondre au conseiller"))
    answer.get_by_label("Votre réponse au conseiller").fill("Voici le devis signé et la photo.")
    answer.get_by_label("Pièces jointes (facultatif)").set_input_files(
        [
            {"name": "devis-signe.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "vitrine.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    screenshot("reponse-avec-deux-fichiers")
    answer.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Votre réponse est envoyée au conseiller.")).to_be_visible()
    screenshot("reponse-envoyee")
    assert Application.objects.get(pk=application.pk).state == State.UNDER_REVIEW

    page.context.clear_cookies()
    log_in(advisor)
    page.goto(reverse("vouchers:detail", args=[application.pk]))
    expect(page.get_by_text("Voici le devis signé et la photo.", exact=True)).to_be_visible()
    pdf_link = page.get_by_role("link", name="devis-signe.pdf")
    expect(pdf_link).to_be_visible()
    expect(page.get_by_role("link", name="vitrine.png")).to_be_visible()
    shot = screenshot("fil-vu-par-le-conseiller")
    opened = page.request.get(pdf_link.get_attribute("href"))
    assert opened.status == 200
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"] == 'inline; filename="devis-signe.pdf"'
    assert opened.body() == PDF
    # The photo opens in the browser itself, still behind the advisor's access check. The browser's
    # own image viewer is not one of our pages: it opens in a second tab, which axe does not audit.
    viewer = page.context.new_page()
    viewer.goto(page.get_by_role("link", name="vitrine.png").get_attribute("href"))
    assert viewer.evaluate("document.contentType") == "image/png"
    viewer.screenshot(path=str(shot).replace("fil-vu-par-le-conseiller", "photo-ouverte"))
