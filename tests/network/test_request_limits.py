"""The public request form: the same request sent twice is routed once; one address sends a few an hour."""

import pytest
from django.urls import reverse

from tests.core.helpers import page
from tests.network.test_request_form import form_data, siret_of
from tremplin.network.models import Match, Request

pytestmark = pytest.mark.django_db


def send(client, data, ip="203.0.113.7"):
    return client.post(reverse("network:new_request"), data, REMOTE_ADDR=ip, follow=True)


def test_the_same_request_sent_twice_is_recorded_and_routed_once(client, advisor, company, website):
    data = form_data(siret_of(company))

    first = send(client, data)
    second = send(
        client, {**data, "description": "  " + data["description"].upper() + " "}, ip="198.51.100.2"
    )

    assert "est enregistrée" in page(first)
    assert Request.objects.count() == 1
    assert Match.objects.count() == 1
    assert second.status_code == 200
    assert "Nous avons déjà reçu cette demande" in page(second)


def test_a_different_request_of_the_same_company_is_recorded(client, advisor, company, website):
    send(client, form_data(siret_of(company)))
    send(client, form_data(siret_of(company), description="Et maintenant un logiciel de caisse."))

    assert Request.objects.count() == 2


def test_one_address_sends_a_limited_number_of_requests(client, settings, advisor, company, website):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "network_request_ip": "2/h"}

    for i in range(2):
        send(client, form_data(siret_of(company), description=f"Besoin numéro {i} pour le site."))
    refused = client.post(
        reverse("network:new_request"),
        form_data(siret_of(company), description="Une troisième demande."),
        REMOTE_ADDR="203.0.113.7",
    )

    assert refused.status_code == 429
    html = page(refused)
    assert "Trop de demandes en peu de temps" in html
    assert "Une troisième demande." in html
    assert Request.objects.count() == 2
