from django.contrib import admin

from tremplin.authority.models import Mandate, Representation


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin):
    list_display = ("family_name", "given_names", "company", "capacity", "status", "basis", "updated_at")
    list_filter = ("status", "basis", "capacity")
    search_fields = ("family_name", "company__siren", "user__email")
    raw_id_fields = ("user", "company", "mandate", "decided_by")
    # Changed only through tremplin.authority.services (audited): the admin shows, it does not edit.
    readonly_fields = [f.name for f in Representation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ("holder_name", "holder_email", "company", "kind", "created_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("holder_email", "company__siren")
    readonly_fields = [f.name for f in Mandate._meta.fields]

    def has_add_permission(self, request):
        return False
