from django.contrib import admin

from tremplin.core.admin import ReadOnlyAdmin, ReadOnlyInline
from tremplin.vouchers.models import Application, Claim, Message

# Files change only through vouchers.services (permission, transaction, audit, budget):
# the back office shows them and never edits them.


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["at", "author", "body"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "company",
        "scheme",
        "state",
        "amount_cents",
        "reserved_cents",
        "submitted_at",
    ]
    list_filter = ["state", "scheme"]
    search_fields = ["=id", "=company__siren", "owner__email"]
    date_hierarchy = "created_at"
    list_select_related = ["company", "scheme"]
    inlines = [MessageInline]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["application", "invoice_number", "invoiced_spend_cents", "payable_cents", "submitted_at"]
    search_fields = ["=application__id", "invoice_number"]
    date_hierarchy = "submitted_at"
    list_select_related = ["application"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["application", "author", "at"]
    search_fields = ["=application__id", "author__email"]
    list_select_related = ["application", "author"]
