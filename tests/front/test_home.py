import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.core.helpers import page
from tests.factories import SchemeFactory
from tremplin.schemes.models import EligibilityRule

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


def test_home_page_is_public_and_shows_the_open_scheme_figures(client):
    SchemeFactory(name="Chèque numérique 2026")

    response = client.get(reverse("core:home"))

    assert response.status_code == 200
    html = page(response)
    assert f"Jusqu'à 2{NNBSP}500 €" in html
    assert "rembourse 50 % de vos dépenses numériques hors taxes" in html
    assert "au moins 500 € HT" in html
    assert "Employer au plus 10 salariés." in html
    assert f"inférieur à 2{NNBSP}000{NNBSP}000 €" in html
    assert "créée il y a au moins 6 mois" in html
    assert "Chèque numérique 2026" in html
    assert 'name="siren"' in html


def test_home_page_reads_the_figures_of_the_scheme_in_the_database(client):
    SchemeFactory(rate=40, cap_cents=300_000, min_spend_cents=80_000)

    html = page(client.get(reverse("core:home")))

    assert f"Jusqu'à 3{NNBSP}000 €" in html
    assert "rembourse 40 % de vos dépenses" in html
    assert "au moins 800 € HT" in html


def test_home_page_says_so_when_no_scheme_is_open(client):
    SchemeFactory(
        window_opens_at=timezone.now() - timedelta(days=400),
        window_closes_at=timezone.now() - timedelta(days=10),
    )

    html = page(client.get(reverse("core:home")))

    assert "Aucun appel à demandes n'est ouvert en ce moment" in html
    assert "2\u202f500" not in html


def test_home_page_has_one_main_heading_and_the_french_lang_attribute(client):
    html = page(client.get(reverse("core:home")))

    assert html.count("<h1") == 1
    assert '<html lang="fr"' in html
    assert 'href="#content"' in html


def test_footer_has_no_placeholder_and_an_honest_accessibility_link(client):
    html = page(client.get(reverse("core:home")))

    assert "[url - à modifier]" not in html
    assert f'href="{reverse("core:accessibility")}">Accessibilité : non conforme</a>' in html


def test_accessibility_page_says_no_audit_was_done(client):
    response = client.get(reverse("core:accessibility"))

    assert response.status_code == 200
    assert "Aucun audit n'a encore été réalisé" in page(response)


def test_legal_notice_is_public(client):
    response = client.get(reverse("core:legal"))

    assert response.status_code == 200
    assert "Données personnelles" in page(response)


def test_home_page_is_served_in_english_when_the_browser_asks_for_it(client):
    SchemeFactory()

    html = page(client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en"))

    assert '<html lang="en"' in html
    assert "Is my business eligible?" in html
    assert "Mon entreprise peut-elle en bénéficier" not in html


def test_home_page_is_served_in_english_when_the_language_cookie_says_so(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = page(client.get(reverse("core:home")))

    assert '<html lang="en"' in html
    assert "How does it work?" in html


def test_a_visitor_can_switch_language_without_an_account(client):
    response = client.post(reverse("core:set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in page(client.get("/"))


def test_home_page_links_to_the_network_request_form(client):
    html = page(client.get(reverse("core:home")))

    assert f'href="{reverse("network:new_request")}"' in html
    assert "Demander l'aide d'un conseiller" in html


def steps(html):
    """The steps of "Comment ça marche ?", as plain text, in order."""
    listing = html.split("Comment ça marche ?", 1)[1].split("<ol", 1)[1].split("</ol>", 1)[0]
    items = listing.split("<li")[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", item.split(">", 1)[1]).split()) for item in items]


def test_the_steps_start_with_the_diagnostic_then_the_voucher(client):
    SchemeFactory()

    listed = steps(page(client.get(reverse("core:home"))))

    assert listed[0].startswith("Faites le diagnostic numérique.")
    assert "conseillé" in listed[0]
    assert listed[1].startswith("Demandez le chèque")
    assert listed[-1].startswith("Demandez le paiement du chèque.")


def test_the_steps_say_the_diagnostic_is_required_when_the_scheme_requires_it(client):
    scheme = SchemeFactory()
    EligibilityRule.objects.create(
        scheme=scheme, kind="diagnostic_completed", params={"months": 9}, position=20
    )

    first = steps(page(client.get(reverse("core:home"))))[0]

    assert "obligatoire" in first
    assert "moins de 9 mois" in first
    assert "conseillé" not in first


def test_an_owner_is_shown_the_diagnostic_first_too(client, owner):
    SchemeFactory()
    client.force_login(owner)

    html = page(client.get(reverse("core:home")))

    assert steps(html)[0].startswith("Faites le diagnostic numérique.")
    assert f'href="{reverse("diagnostics:start")}"' in html


def test_without_an_open_scheme_the_steps_still_start_with_the_diagnostic(client):
    listed = steps(page(client.get(reverse("core:home"))))

    assert listed[0].startswith("Faites le diagnostic numérique.")
    assert "obligatoire" not in listed[0]


def test_the_steps_are_served_in_english(client):
    scheme = SchemeFactory()
    EligibilityRule.objects.create(
        scheme=scheme, kind="diagnostic_completed", params={"months": 9}, position=20
    )

    listed = steps(
        page(client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")).replace(
            "How does it work?", "Comment ça marche ?"
        )
    )

    assert listed[0].startswith("Take the digital diagnostic. In a quarter of an hour")
    assert "less than 9 months old" in listed[0]
    assert listed[1].startswith("Apply for the voucher with a quote.")
