"""Snapshots (syrupy) of what the platform sends or prints: every email, the decision letter, the SEPA file.

Everything is produced through the real service calls, at a frozen instant, with named objects whose
names and identifiers are explicit. Primary keys differ between SQLite and PostgreSQL (PostgreSQL
sequences survive the rollback of each test), so `scrub` replaces them, and what derives from them
(file references, links, signed tokens), with a placeholder.

After a deliberate change of an email or a document: `pytest tests/snapshots --snapshot-update`, then
read the diff of `__snapshots__/` before committing it.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import IBAN_FR, ApplicationFactory, CompanyFactory, EnvelopeFactory, SchemeFactory
from tremplin.vouchers.models import Application

HTML_ENTITY = re.compile(r"&(#x?[0-9a-fA-F]+|amp|lt|gt|quot);")

# A Monday morning in Paris; every date shown derives from it.
NOW = datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_time(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def scheme(db):
    scheme = SchemeFactory(name="Chèque numérique 2026", slug="cheque-numerique-2026")
    EnvelopeFactory(scheme=scheme)
    return scheme


@pytest.fixture
def company(rhone):
    return CompanyFactory(siren="552032534", denomination="Boulangerie Martin", departement=rhone)


@pytest.fixture
def draft(scheme, owner, company, provider_member):
    # An IBAN of its own (the factory numbers them in creation order, which depends on the tests run).
    return ApplicationFactory(
        scheme=scheme, owner=owner, company=company, provider=provider_member.provider, iban=IBAN_FR
    )


def application_ids(application, name="dossier"):
    """Placeholders for what derives from a file's primary key: its reference and its page."""
    return {
        application.reference: f"TN-{application.created_at:%Y}-<{name}>",
        reverse("vouchers:detail", args=[application.pk]): f"/dossiers/<{name}>/",
        reverse(
            "providers:application_quotes", args=[application.pk]
        ): f"/prestataires/dossiers/<{name}>/devis/",
    }


def scrub(text, *objects):
    """`text` with identifiers replaced: files (`<dossier>`, `<dossier-1>`, `<dossier-2>`... when
    several, in the order given) and any {text: placeholder} mapping."""
    applications = [o for o in objects if isinstance(o, Application)]
    replacements = {}
    for position, application in enumerate(applications, start=1):
        name = "dossier" if len(applications) == 1 else f"dossier-{position}"
        replacements.update(application_ids(application, name))
    for mapping in objects:
        if isinstance(mapping, dict):
            replacements.update(mapping)
        elif not isinstance(mapping, Application):
            raise TypeError(f"No placeholder for {mapping!r}: pass a {{text: placeholder}} mapping.")
    # Longest first, so that a reference is replaced before a shorter text it contains.
    for old in sorted(replacements, key=len, reverse=True):
        text = text.replace(old, replacements[old])
    return text


def as_text(message, *objects):
    """An email as a person reads it: sender, recipients, subject and body (plain text, never escaped)."""
    assert not HTML_ENTITY.search(message.subject + message.body), "a plain-text email was HTML-escaped"
    headers = [
        f"From: {message.from_email}",
        f"To: {', '.join(message.to)}",
        f"Subject: {message.subject}",
    ]
    return scrub("\n".join(headers) + "\n\n" + message.body, *objects)
