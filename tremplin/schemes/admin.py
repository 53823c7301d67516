from django import forms
from django.contrib import admin

from tremplin.core.admin import ReadOnlyAdmin
from tremplin.schemes.models import EligibilityRule, Envelope, LedgerEntry, Scheme


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    fields = ["version", "position", "kind", "params"]
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "preregistration_opens_at",
        "window_opens_at",
        "window_closes_at",
        "rate",
        "cap_cents",
        "allocation",
        "payee",
    ]
    list_filter = ["allocation", "payee"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # The draw is run by its service, which records the seed it used.
    readonly_fields = ["lottery_drawn_at"]
    inlines = [EligibilityRuleInline]


class EnvelopeForm(forms.ModelForm):
    class Meta:
        model = Envelope
        fields = ["scheme", "region", "year", "total_cents"]

    def clean_total_cents(self):
        total = self.cleaned_data["total_cents"]
        committed = self.instance.committed_cents if self.instance.pk else 0
        if total < committed:
            raise forms.ValidationError(
                f"Le montant total ne peut pas être inférieur au montant déjà engagé ({committed} centimes)."
            )
        return total


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    form = EnvelopeForm
    list_display = ["scheme", "region", "year", "total_cents", "committed_cents", "disbursed_cents"]
    list_filter = ["scheme", "year", "region"]
    list_select_related = ["scheme", "region"]
    # Committed and disbursed amounts only move through schemes.budget, with a ledger row each.
    readonly_fields = ["committed_cents", "disbursed_cents", "receipt_counter"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "scheme", "region", "year"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "envelope", "application", "kind", "amount_cents"]
    list_filter = ["kind", "envelope__scheme"]
    search_fields = ["=application__id"]
    date_hierarchy = "at"
    list_select_related = ["envelope__scheme", "envelope__region", "application"]
