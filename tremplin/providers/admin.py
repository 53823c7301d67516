from django import forms
from django.contrib import admin, messages

from tremplin.core.admin import HttpsUrlsMixin
from tremplin.core.errors import ServiceError
from tremplin.core.validators import clean_pdf
from tremplin.providers import accreditation
from tremplin.providers.models import (
    AccreditationCriterion,
    Document,
    Offer,
    Provider,
    QualityThreshold,
    Quote,
    QuoteRequest,
    Review,
)


class DocumentForm(forms.ModelForm):
    """A document added in the admin is checked like one the provider uploads (a real PDF, no HTML)."""

    class Meta:
        model = Document
        fields = ["kind", "label", "expires_on", "file"]

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and file != self.initial.get("file"):
            try:
                clean_pdf(file, "file")
            except ServiceError as error:
                raise forms.ValidationError(error.message) from None
        return file


class DocumentInline(admin.TabularInline):
    model = Document
    form = DocumentForm
    extra = 0
    fields = ["kind", "label", "expires_on", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


def _transition(action):
    def run(modeladmin, request, queryset):
        for provider in queryset:
            try:
                accreditation.act(request.user, provider, action, reason="Décision depuis l'administration.")
            except ServiceError as exc:
                modeladmin.message_user(request, f"{provider} : {exc.message}", messages.ERROR)

    run.short_description = f"Habilitation : {action}"
    run.__name__ = f"transition_{action}"
    return run


@admin.register(Provider)
class ProviderAdmin(HttpsUrlsMixin, admin.ModelAdmin):
    list_display = ["name", "siret", "status", "rating_avg", "rating_count"]
    list_filter = ["status"]
    search_fields = ["name", "=siret"]
    # The accreditation only moves through its workflow (audit, notification).
    readonly_fields = [
        "status",
        "status_changed_at",
        "search_text",
        "rating_avg",
        "rating_count",
    ]
    inlines = [DocumentInline]
    actions = [_transition(a) for a in ("start_review", "accredit", "suspend", "reinstate")]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_documents_valid_until()


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "category", "price_min_cents", "price_max_cents", "delivery_days"]
    list_filter = ["category"]
    search_fields = ["title", "provider__name"]
    raw_id_fields = ["provider"]


@admin.register(AccreditationCriterion)
class AccreditationCriterionAdmin(admin.ModelAdmin):
    list_display = ["kind", "params", "scheme", "position"]


@admin.register(QualityThreshold)
class QualityThresholdAdmin(admin.ModelAdmin):
    list_display = ["metric", "limit"]


@admin.register(QuoteRequest)
class QuoteRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "application", "category", "state", "created_at"]
    list_filter = ["state"]
    # Requests and quotes only move through their workflows (tremplin.providers.quotes).
    readonly_fields = ["state"]
    raw_id_fields = ["application", "owner"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["id", "provider", "state", "amount_cents", "above_catalogue"]
    list_filter = ["state", "above_catalogue"]
    # The quote's PDF comes with the provider's answer, checked there (quotes.answer_quote).
    readonly_fields = ["state", "file"]
    raw_id_fields = ["request", "provider", "answered_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "provider", "state", "quality", "deadlines", "communication", "is_complaint"]
    list_filter = ["state", "is_complaint"]
    readonly_fields = ["state", "moderation_reason"]
    raw_id_fields = ["application", "provider", "author"]
