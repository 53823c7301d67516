"""The production URLs plus the surge bench's baseline: a submission's database writes and nothing else.

`POST /api/bench/submit/<id>` sits under /api/ behind the same middleware as the API (the idempotency
record included) and authenticates with the same bearer token; then, in one transaction and in raw SQL,
the writes of a first-come-first-served submission: the draft locked, a receipt number taken on the
envelope, the conditional reservation, the file's row, a ledger row when reserved. No eligibility, no
authority or payee check, no audit event, no notification, a three-field answer.
"""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config import urls as production
from tremplin.api.auth import TokenAuth
from tremplin.schemes.models import Envelope, LedgerEntry
from tremplin.vouchers.models import Application

_AUTH = TokenAuth()
APPLICATIONS = Application._meta.db_table
ENVELOPES = Envelope._meta.db_table
LEDGER = LedgerEntry._meta.db_table


def _json(status, data):
    return HttpResponse(json.dumps(data), status=status, content_type="application/json")


@csrf_exempt
@login_not_required
def baseline_submit(request, application_id):
    if request.method != "POST":
        return _json(405, {"code": "method_not_allowed"})
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    user = _AUTH.authenticate(request, token) if kind.lower() == "bearer" else None
    if user is None:
        return _json(401, {"code": "unauthorized"})
    amount = settings.SURGE_AMOUNT_CENTS
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"SELECT e.id FROM {APPLICATIONS} a JOIN {ENVELOPES} e ON e.scheme_id = a.scheme_id "
            "WHERE a.id = %s AND a.owner_id = %s AND a.state = 'draft' FOR UPDATE OF a",
            [application_id, user.pk],
        )
        row = cur.fetchone()
        if row is None:
            return _json(409, {"code": "not_a_draft"})
        envelope_id = row[0]
        cur.execute(
            f"UPDATE {ENVELOPES} SET receipt_counter = receipt_counter + 1 WHERE id = %s RETURNING receipt_counter",
            [envelope_id],
        )
        (rank,) = cur.fetchone()
        cur.execute(
            f"UPDATE {ENVELOPES} SET committed_cents = committed_cents + %s "
            "WHERE id = %s AND committed_cents + %s <= total_cents",
            [amount, envelope_id, amount],
        )
        reserved = cur.rowcount == 1
        state = "submitted" if reserved else "waitlisted"
        cur.execute(
            f"UPDATE {APPLICATIONS} SET state = %s, queue_rank = %s, envelope_id = %s, amount_cents = %s, "
            "reserved_cents = %s, submitted_at = now(), updated_at = now() WHERE id = %s",
            [state, rank, envelope_id, amount, amount if reserved else 0, application_id],
        )
        if reserved:
            cur.execute(
                f"INSERT INTO {LEDGER} (envelope_id, application_id, kind, amount_cents, at) "
                "VALUES (%s, %s, 'reserve', %s, now())",
                [envelope_id, application_id, amount],
            )
    return _json(200, {"id": application_id, "state": state, "queue_rank": rank})


urlpatterns = [path("api/bench/submit/<int:application_id>", baseline_submit), *production.urlpatterns]
handler400 = production.handler400
handler403 = production.handler403
handler404 = production.handler404
handler500 = production.handler500
