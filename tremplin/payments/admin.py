from django.contrib import admin

from tremplin.core.admin import ReadOnlyAdmin, ReadOnlyInline
from tremplin.payments.models import PaymentBatch, PaymentLine

# Batches are built and marked paid by payments services: read-only here.


class PaymentLineInline(ReadOnlyInline):
    model = PaymentLine
    fields = ["application", "amount_cents", "creditor_name", "creditor_iban", "end_to_end_id"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "scheme", "state", "total_cents", "created_by", "created_at", "paid_at"]
    list_filter = ["state", "scheme"]
    search_fields = ["message_id"]
    exclude = ["xml"]
    list_select_related = ["scheme", "created_by"]
    inlines = [PaymentLineInline]


@admin.register(PaymentLine)
class PaymentLineAdmin(ReadOnlyAdmin):
    list_display = ["end_to_end_id", "batch", "application", "amount_cents", "creditor_name"]
    search_fields = ["end_to_end_id", "=application__id", "creditor_name"]
    list_select_related = ["batch", "application"]
