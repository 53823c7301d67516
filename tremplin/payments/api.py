"""Payment batches in the API (programme managers): SEPA file of the approved claims of a scheme, then payment.

Mounted at /api/v1/payment-batches and /api/v1/schemes.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpResponse
from ninja import Path, Router, Schema
from ninja.responses import Status
from pydantic import Field

from tremplin.accounts.models import Role
from tremplin.api.errors import NotFound, responses
from tremplin.api.schemas import MAX_ID
from tremplin.core.errors import PermissionDenied
from tremplin.payments import services
from tremplin.payments.access import batches_for
from tremplin.schemes.api import SchemeId, scheme_or_404

router = Router(tags=["Paiements"])
scheme_router = Router(tags=["Paiements"])

BatchId = Annotated[int, Path(ge=1, le=MAX_ID)]


class PaymentLineOut(Schema):
    application_id: int
    reference: str
    amount_cents: int
    creditor_name: str
    creditor_iban: str
    end_to_end_id: str


class PaymentBatchOut(Schema):
    id: int
    scheme_id: int
    state: str
    message_id: str
    created_at: datetime
    execution_date: date
    paid_at: datetime | None
    total_cents: int
    warnings: list[str] = Field(description="Dossiers laissés hors du lot, et pourquoi.")
    lines: list[PaymentLineOut]


def _readable_batch(user, pk):
    if user.role not in (Role.MANAGER, Role.AUDITOR):
        raise PermissionDenied(
            "forbidden", "Seuls les gestionnaires du programme et les auditeurs voient les lots."
        )
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise NotFound("not_found", "Lot de paiement introuvable.")
    return batch


def _batch_out(batch):
    lines = batch.lines.select_related("application").order_by("pk")
    return {
        "id": batch.pk,
        "scheme_id": batch.scheme_id,
        "state": batch.state,
        "message_id": batch.message_id,
        "created_at": batch.created_at,
        "execution_date": batch.execution_date,
        "paid_at": batch.paid_at,
        "total_cents": batch.total_cents,
        "warnings": [str(w) for w in batch.warnings],
        "lines": [
            {
                "application_id": line.application_id,
                "reference": line.application.reference,
                "amount_cents": line.amount_cents,
                "creditor_name": line.creditor_name,
                "creditor_iban": line.creditor_iban,
                "end_to_end_id": line.end_to_end_id,
            }
            for line in lines
        ],
    }


@scheme_router.post(
    "/{scheme_id}/payment-batches",
    response=responses(201, PaymentBatchOut),
    operation_id="create_payment_batch",
)
def create_payment_batch(request, scheme_id: SchemeId):
    """Put every approved claim of the scheme not yet in a batch into one new SEPA file."""
    batch = services.create_batch(request.auth, scheme_or_404(scheme_id))
    return Status(201, _batch_out(batch))


@router.get("/{batch_id}", response=responses(200, PaymentBatchOut), operation_id="get_payment_batch")
def get_payment_batch(request, batch_id: BatchId):
    return _batch_out(_readable_batch(request.auth, batch_id))


@router.get(
    "/{batch_id}/sepa.xml",
    response=responses(200, None),
    operation_id="get_payment_batch_xml",
    openapi_extra={
        "responses": {
            200: {
                "description": "Fichier SEPA pain.001.001.03",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_payment_batch_xml(request, batch_id: BatchId):
    batch = _readable_batch(request.auth, batch_id)
    response = HttpResponse(bytes(batch.xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
    return response


@router.post(
    "/{batch_id}/regenerate",
    response=responses(200, PaymentBatchOut),
    operation_id="regenerate_payment_batch",
)
def regenerate_payment_batch(request, batch_id: BatchId):
    """Rebuild the file of a batch not yet paid (after a corrected IBAN, for instance)."""
    batch = services.regenerate_xml(request.auth, _readable_batch(request.auth, batch_id))
    return _batch_out(batch)


@router.post(
    "/{batch_id}/mark-paid", response=responses(200, PaymentBatchOut), operation_id="mark_payment_batch_paid"
)
def mark_payment_batch_paid(request, batch_id: BatchId):
    """The bank executed the file: every claim of the batch becomes paid."""
    batch = services.mark_batch_paid(request.auth, _readable_batch(request.auth, batch_id))
    return _batch_out(batch)
