"""The provider pages in English, a complete English catalogue, and pinned query counts on list pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import tremplin.providers
from tests.factories import ApplicationFactory, ProviderFactory, UserFactory
from tests.providers.conftest import login, make_offer
from tremplin.providers.models import Status
from tremplin.providers.quotes import request_quotes

pytestmark = pytest.mark.django_db

PO = Path(tremplin.providers.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(flags, msgstr values) of each entry of the providers' English catalogue, header excluded."""
    entries, flags, strings, current = [], [], [], None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if strings:
                entries.append((flags, strings))
            flags, strings, current = [], [], None
        elif line.startswith("#,"):
            flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("msgid "):
            current = "msgid"
        elif line.startswith("msgstr"):
            strings.append(line.split(" ", 1)[1].strip('"'))
            current = "msgstr"
        elif line.startswith('"') and current == "msgstr":
            strings[-1] += line.strip('"')
    return entries[1:]


def test_the_english_catalogue_has_no_empty_or_fuzzy_entry():
    entries = po_entries()
    assert len(entries) > 200
    assert not [e for e in entries if "fuzzy" in e[0]]
    assert not [e for e in entries if not all(e[1])]


def test_the_directory_is_served_in_english(client, rhone):
    provider = ProviderFactory(name="Électricité Connectée")
    make_offer(provider, "website", departements=[rhone])
    response = client.get(reverse("providers:directory"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Directory of accredited providers" in page
    assert "1 provider found" in page
    assert "Website : " in page or "Website" in page
    assert "Annuaire des prestataires habilités" not in page


def test_the_provider_dashboard_is_served_in_english(member):
    client = login(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("providers:dashboard")).content.decode()
    assert "Quotes to answer" in page and "My offers" in page
    assert "Devis à répondre" not in page


def dashboard_queries(client, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        assert client.get(reverse("providers:dashboard")).status_code == 200


def test_the_provider_dashboard_has_a_pinned_number_of_queries(
    member, provider, scheme, django_assert_num_queries
):
    client = login(member)
    client.get(reverse("providers:dashboard"))  # warm the per-process caches
    dashboard_queries(client, django_assert_num_queries, DASHBOARD_QUERIES)
    for i in range(3):
        owner = UserFactory()
        draft = ApplicationFactory(scheme=scheme, owner=owner, provider=None, quote="")
        request_quotes(owner, draft, [provider], "website", f"Un site vitrine {i}")
        ApplicationFactory(scheme=scheme, provider=provider, state="submitted")
    # Three more quotes and files on the page, the same number of queries.
    dashboard_queries(client, django_assert_num_queries, DASHBOARD_QUERIES)


def test_the_accreditation_list_has_a_pinned_number_of_queries(manager, django_assert_num_queries):
    client = login(manager)
    ProviderFactory(status=Status.REQUESTED)
    url = reverse("providers:accreditations")
    client.get(url)
    with django_assert_num_queries(ACCREDITATION_LIST_QUERIES):
        assert client.get(url).status_code == 200
    for _ in range(30):
        ProviderFactory(status=Status.UNDER_REVIEW)
    with django_assert_num_queries(ACCREDITATION_LIST_QUERIES):
        page = client.get(url).content.decode()
    assert page.count("<td><a href=") == 20  # a full page


# Session, user and site settings, then the page's own reads (fixed, whatever the number of rows).
DASHBOARD_QUERIES = 12
ACCREDITATION_LIST_QUERIES = 6  # +1: the TOTP device of the verified session (django-otp)
