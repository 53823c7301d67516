"""Backups: a dump of the database restores into a copy that passes its checks and holds the same rows."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tremplin.schemes.models import Envelope
from tremplin.vouchers import services
from tremplin.vouchers.models import Application


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.django_db
def test_the_check_finds_every_envelope_equal_to_its_ledger(draft):
    services.submit(draft.owner, draft)
    report = run("check_restore")
    assert report["unapplied_migrations"] == []
    assert report["envelopes_off_ledger"] == []
    assert report["rows"]["vouchers.application"] == 1
    assert report["rows"]["schemes.ledgerentry"] == 1


@pytest.mark.django_db
def test_the_check_fails_on_an_envelope_its_ledger_does_not_explain(draft):
    services.submit(draft.owner, draft)
    envelope = Envelope.objects.get()
    Envelope.objects.filter(pk=envelope.pk).update(committed_cents=envelope.committed_cents + 1)
    with pytest.raises(CommandError, match="grand livre"):
        run("check_restore")


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_copy_with_the_same_rows_that_passes_the_checks(draft, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the drill dumps and restores with PostgreSQL's tools")
    services.submit(draft.owner, draft)
    dump = tmp_path / "tremplin.dump"

    report = run("restore_drill", "--keep-dump", str(dump))

    assert report["copy_checked"] is True
    assert report["differences"] == []
    assert report["rows"] >= Application.objects.count() + 1
    assert dump.stat().st_size == report["dump_bytes"] > 0


@pytest.mark.django_db
def test_the_drill_says_it_needs_postgresql_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("on SQLite only")
    with pytest.raises(CommandError, match="PostgreSQL"):
        run("restore_drill")
