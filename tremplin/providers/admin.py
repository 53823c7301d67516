from django.contrib import admin

from tremplin.providers.models import Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "accredited"]
    list_filter = ["accredited"]
    search_fields = ["name", "=siret"]
