"""Check a database after a restore (or at any time): every migration applied, every envelope's
figures equal to its ledger, and the rows of each table counted.

    manage.py check_restore            # one JSON line; exit status 1 when something is wrong

`manage.py restore_drill` runs it on a restored copy and compares the counts with the source.
"""

import json

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, F, IntegerField, Sum, When

from tremplin.schemes.models import Envelope, LedgerEntry

Kind = LedgerEntry.Kind


def unapplied_migrations():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def envelopes_off_their_ledger():
    """Envelopes whose committed or disbursed amounts differ from their ledger's sums (one query)."""

    def signed(kinds_and_signs):
        return Sum(
            Case(
                *(When(kind=kind, then=sign * F("amount_cents")) for kind, sign in kinds_and_signs),
                default=0,
                output_field=IntegerField(),
            )
        )

    sums = {
        row["envelope_id"]: row
        for row in LedgerEntry.objects.values("envelope_id")
        .order_by()
        .annotate(
            committed=signed([(Kind.RESERVE, 1), (Kind.RELEASE, -1), (Kind.CLAWBACK, -1)]),
            disbursed=signed([(Kind.DISBURSE, 1), (Kind.CLAWBACK, -1)]),
        )
    }
    off = []
    for pk, committed, disbursed in Envelope.objects.values_list("pk", "committed_cents", "disbursed_cents"):
        row = sums.get(pk, {"committed": 0, "disbursed": 0})
        if (committed, disbursed) != (row["committed"] or 0, row["disbursed"] or 0):
            off.append(pk)
    return off


def row_counts():
    """Rows of each of our tables (the project's apps), by model label."""
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("tremplin.") and not model._meta.proxy
    }


class Command(BaseCommand):
    help = (
        "Vérifie la base (après une restauration) : migrations, enveloppes et grand livre, lignes par table."
    )

    def handle(self, *args, **options):
        missing = unapplied_migrations()
        off = [] if missing else envelopes_off_their_ledger()
        report = {
            "unapplied_migrations": missing,
            "envelopes": Envelope.objects.count() if not missing else None,
            "envelopes_off_ledger": off,
            "rows": row_counts() if not missing else {},
        }
        self.stdout.write(json.dumps(report, sort_keys=True))
        if missing:
            raise CommandError(f"Migrations non appliquées : {', '.join(missing)}.")
        if off:
            raise CommandError(
                "Le grand livre ne correspond pas aux montants des enveloppes "
                + ", ".join(str(pk) for pk in off)
                + "."
            )
