"""The network pages in English, from a complete English catalogue."""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

import tremplin.network

PO = Path(tremplin.network.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_english_catalogue_has_no_empty_or_fuzzy_entry():
    text = PO.read_text(encoding="utf-8")
    assert text.count("\nmsgid ") > 100
    assert not re.findall(r"^#,.*\bfuzzy\b", text, re.MULTILINE)
    # An empty translation is `msgstr ""` (or `msgstr[n] ""`) not continued on the next line;
    # the header's is continued, hence the lookahead.
    assert not re.findall(r'^msgstr(\[\d\])? ""\n(?!")', text + "\n", re.MULTILINE)


def test_the_request_form_is_served_in_english(client, website):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("network:new_request")).content.decode()
    assert "Describe your digital project: an advisor from your chamber" in page
    assert "Décrivez votre projet" not in page


def test_the_new_match_email_reads_in_english(advisor, website):
    class Request:
        pk = 1
        theme = website

    with translation.override("en"):
        body = render_to_string(
            "network/emails/new_match.txt", {"user": advisor, "request": Request(), "site_root": ""}
        )
    assert "A business in your area asks for support on the topic “Site internet”." in body


def test_the_request_form_s_new_fields_and_refusals_read_in_english(client, website, company):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        reverse("network:new_request"),
        {
            "siret": company.siren,
            "phone": "12",
            "email": "a@example.fr",
            "theme": website.code,
            "description": "x",
        },
    ).content.decode()
    assert "SIREN or SIRET number" in page
    assert "Your phone number (optional)" in page
    assert "Enter a French phone number of 10 digits" in page
    assert "Indiquez" not in page


def test_the_company_s_emails_read_in_english(advisor, website):
    class Request:
        reference = "DA-2026-000001"
        siret = "73282932000074"
        theme = website
        phone = ""

    with translation.override("en"):
        received = render_to_string(
            "network/emails/request_received.txt", {"request": Request(), "advisors": 2, "site_root": ""}
        )
        taken = render_to_string(
            "network/emails/taken.txt", {"request": Request(), "advisor": advisor, "site_root": ""}
        )
    assert "1. Your request is sent to 2 advisors in your area" in received
    assert "What happens next?" in received
    assert f"An advisor from “{advisor.organisation.name}” takes on your request" in taken
    assert "Bonjour" not in received + taken
