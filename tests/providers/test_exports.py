"""Exports of the providers' directory, the accreditation list and a provider's reviews."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.exports.conftest import INJECTIONS, column, fetch, rows
from tests.factories import ProviderFactory, UserFactory
from tests.providers.conftest import make_offer, paid_application
from tremplin.providers import reviews
from tremplin.providers.models import Status

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_anyone_exports_the_directory_as_the_search_selects_it(provider, other_member, fmt):
    table = rows(fetch(Client(), "providers:directory_export", fmt), fmt)
    assert table[0] == [
        "Prestataire",
        "Commune",
        "Département",
        "Note moyenne sur 5",
        "Nombre d'avis",
        "Fiche",
    ]
    assert sorted(column(table, "Prestataire")) == sorted([provider.name, "Concurrent Numérique"])
    assert column(table, "Fiche")[0].startswith("http://testserver/prestataires/")
    table = rows(fetch(Client(), "providers:directory_export", fmt, query="q=concurrent"), fmt)
    assert column(table, "Prestataire") == ["Concurrent Numérique"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_directory_export_holds_only_accredited_providers(provider, fmt):
    ProviderFactory(name="Pas encore habilité", status=Status.REQUESTED)
    table = rows(fetch(Client(), "providers:directory_export", fmt), fmt)
    assert column(table, "Prestataire") == [provider.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_provider_name_with_a_formula_is_neutralised(fmt):
    for text in INJECTIONS:
        make_offer(UserFactory(provider_member=True, provider=ProviderFactory(name=text)).provider)
    table = rows(fetch(Client(), "providers:directory_export", fmt), fmt)
    assert sorted(column(table, "Prestataire")) == sorted("'" + text for text in INJECTIONS)


def test_the_directory_links_to_its_exports_with_the_search(client, provider):
    page = client.get(reverse("providers:directory") + "?q=web&page=1").content.decode()
    assert f'href="{reverse("providers:directory_export", kwargs={"fmt": "csv"})}?q=web"' in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_managers_export_the_accreditations_with_the_status_filter(client_for, manager, provider, fmt):
    waiting = ProviderFactory(name="Nouvelle Agence", status=Status.REQUESTED)
    client = client_for(manager)
    table = rows(fetch(client, "providers:accreditations_export", fmt), fmt)
    assert table[0][:2] == ["Prestataire", "SIRET"]
    assert column(table, "Prestataire") == [waiting.name]
    table = rows(fetch(client, "providers:accreditations_export", fmt, query="status=accredited"), fmt)
    assert column(table, "Prestataire") == [provider.name]
    assert column(table, "SIRET") == [provider.siret]
    assert column(table, "Habilitation") == [provider.status_label]


def test_the_accreditations_export_is_for_the_programme(client_for, member, advisor, owner):
    url = reverse("providers:accreditations_export", kwargs={"fmt": "csv"})
    for user in (member, advisor, owner):
        assert client_for(user).get(url).status_code == 403


@pytest.fixture
def reviewed(provider, owner, advisor, manager):
    """Two reviews of the provider: one published, one hidden by the moderation."""
    shown = reviews.post_review(
        owner,
        paid_application(provider, owner, advisor, manager),
        quality=5,
        deadlines=4,
        communication=5,
        text='=HYPERLINK("http://pirate.example", "Voir les détails ici")',
    )
    hidden = reviews.post_review(
        owner,
        paid_application(provider, owner, advisor, manager),
        quality=1,
        deadlines=1,
        communication=1,
        text="Injurieux et faux.",
    )
    reviews.moderate_review(manager, hidden, hide=True, reason="Propos injurieux.")
    return shown, hidden


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_public_exports_the_published_reviews_only(provider, reviewed, fmt):
    table = rows(fetch(Client(), "providers:reviews_export", fmt, pk=provider.pk), fmt)
    assert table[0] == [
        "Date",
        "Qualité (sur 5)",
        "Délais (sur 5)",
        "Écoute (sur 5)",
        "Avis",
        "Réponse du prestataire",
    ]
    assert column(table, "Avis") == ['\'=HYPERLINK("http://pirate.example", "Voir les détails ici")']
    assert column(table, "Qualité (sur 5)") == (["5"] if fmt == "csv" else [5])


@pytest.mark.parametrize("fmt", FORMATS)
def test_staff_and_members_export_every_review_with_its_state(
    client_for, provider, member, auditor, reviewed, fmt
):
    for user in (member, auditor):
        table = rows(fetch(client_for(user), "providers:reviews_export", fmt, pk=provider.pk), fmt)
        assert sorted(column(table, "État")) == ["Masqué par la modération", "Publié"]
        assert "camille" not in str(table).lower()


def test_the_provider_page_links_to_its_reviews_export(client, provider, reviewed):
    page = client.get(reverse("providers:detail", args=[provider.pk])).content.decode()
    assert reverse("providers:reviews_export", kwargs={"pk": provider.pk, "fmt": "xlsx"}) in page
    assert "Exporter les avis (CSV)" in page


def test_reviews_of_a_provider_out_of_the_directory_are_not_found(client):
    provider = ProviderFactory(status=Status.REQUESTED)
    assert (
        client.get(reverse("providers:reviews_export", kwargs={"pk": provider.pk, "fmt": "csv"})).status_code
        == 404
    )
