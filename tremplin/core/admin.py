from django.contrib import admin
from django.db import models
from dsfr import admin as dsfr_admin
from dsfr.models import DsfrConfig

from tremplin.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (ledgers, payments, registry imports): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "content_type", "object_id", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["=object_id", "actor__email", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]


class HttpsUrlsMixin:
    # URLs typed in the back office are https unless written otherwise (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class SocialMediaInline(HttpsUrlsMixin, dsfr_admin.DsfrSocialMediaInline):
    pass


admin.site.unregister(DsfrConfig)


@admin.register(DsfrConfig)
class DsfrConfigAdmin(HttpsUrlsMixin, dsfr_admin.DsfrConfigAdmin):
    inlines = [SocialMediaInline]
