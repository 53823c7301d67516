"""Exports of the payment batches and of one batch's transfers: the programme's managers and auditors."""

import pytest
from django.urls import reverse

from tests.exports.conftest import column, rows
from tests.payments.flows import claim_approved_application
from tremplin.payments import services

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


@pytest.fixture
def batch(scheme, advisor, manager):
    for _ in range(2):
        claim_approved_application(scheme, advisor)
    return services.create_batch(manager, scheme)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_batches_export_lists_every_batch(export, auditor, batch, fmt):
    table = rows(export(auditor, "payments:batches_export", fmt), fmt)
    assert table[0][:3] == ["Lot", "Dispositif", "État"]
    assert column(table, "Lot") == [batch.message_id]
    assert column(table, "Virements") == (["2"] if fmt == "csv" else [2])
    total = batch.total_cents / 100
    assert column(table, "Total") == ([f"{total:.0f}"] if fmt == "csv" else [total])


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_batch_exports_its_transfers_with_their_iban(export, manager, batch, fmt):
    response = export(manager, "payments:batch_export", fmt, pk=batch.pk)
    assert "no-store" in response["Cache-Control"]
    table = rows(response, fmt)
    assert table[0] == [
        "Virement",
        "Dossier",
        "Entreprise",
        "Bénéficiaire",
        "IBAN",
        "Libellé du virement",
        "Montant",
    ]
    lines = list(batch.lines.order_by("pk"))
    assert column(table, "Virement") == [line.end_to_end_id for line in lines]
    assert column(table, "IBAN") == [line.creditor_iban for line in lines]


@pytest.mark.parametrize("name", ["payments:batches_export", "payments:batch_export"])
def test_payment_exports_are_refused_to_everyone_else(
    client_for, batch, owner, advisor, provider_member, name
):
    kwargs = {"fmt": "csv", **({"pk": batch.pk} if name == "payments:batch_export" else {})}
    for user in (owner, advisor, provider_member):
        assert client_for(user).get(reverse(name, kwargs=kwargs)).status_code == 403


def test_the_payment_pages_link_to_their_exports(client_for, manager, batch):
    client = client_for(manager)
    page = client.get(reverse("payments:batches")).content.decode()
    assert reverse("payments:batches_export", kwargs={"fmt": "xlsx"}) in page
    page = client.get(reverse("payments:batch", args=[batch.pk])).content.decode()
    assert reverse("payments:batch_export", kwargs={"pk": batch.pk, "fmt": "csv"}) in page
