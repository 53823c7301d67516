import pytest
from django.core.management import call_command

from tremplin.accounts.models import Role, User
from tremplin.schemes.budget import ledger_totals
from tremplin.schemes.models import Envelope
from tremplin.vouchers.models import Application, State


@pytest.mark.django_db
def test_demo_data_shows_every_state_in_two_regions_and_loads_only_once(capsys):
    call_command("seed_demo")

    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(State.values)
    regions = set(Application.objects.values_list("company__departement__region__name", flat=True))
    assert regions == {"Auvergne-Rhône-Alpes", "Bretagne"}
    for role in Role.values:
        assert User.objects.filter(role=role, email__endswith="@demo.tremplin-numerique.fr").exists()
    for envelope in Envelope.objects.all():
        assert ledger_totals(envelope.pk) == {
            "committed_cents": envelope.committed_cents,
            "disbursed_cents": envelope.disbursed_cents,
        }
        assert envelope.committed_cents <= envelope.total_cents
    demo_owner = User.objects.get(email="dirigeante@demo.tremplin-numerique.fr")
    assert set(demo_owner.applications.values_list("state", flat=True)) == {"draft", "approved", "paid"}
    assert demo_owner.check_password("demo-tremplin-2026")

    from tremplin.providers.models import Offer, Provider, Review

    assert Provider.objects.accredited().count() >= 100
    assert Offer.objects.exists()
    assert Review.objects.exists()

    files = Application.objects.count()
    call_command("seed_demo")
    assert Application.objects.count() == files
    assert "déjà présentes" in capsys.readouterr().out
