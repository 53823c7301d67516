from django.contrib import admin

from tremplin.diagnostics.models import Diagnostic, PeerGroup, RecommendationRule


@admin.register(RecommendationRule)
class RecommendationRuleAdmin(admin.ModelAdmin):
    list_display = ["title", "condition", "dimension", "question", "item", "threshold", "benefit", "active"]
    list_filter = ["active", "condition", "dimension"]
    list_editable = ["benefit", "active"]
    search_fields = ["title", "text", "title_en", "text_en"]


@admin.register(Diagnostic)
class DiagnosticAdmin(admin.ModelAdmin):
    """Read-only: diagnostics change only through their service functions."""

    list_display = ["pk", "company", "state", "overall_score", "level", "version", "completed_at"]
    list_filter = ["state", "level", "version"]
    search_fields = ["company__siren", "company__denomination"]
    raw_id_fields = ["company", "owner", "conducted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ["key", "total"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
