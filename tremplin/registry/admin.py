from django.contrib import admin

from tremplin.registry.models import Commune, Company, Departement, Establishment, NafCode, NafSection, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement"]
    search_fields = ["code", "name"]
    list_select_related = ["departement"]
    raw_id_fields = ["departement"]


@admin.register(NafSection)
class NafSectionAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]


@admin.register(NafCode)
class NafCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "section"]
    list_filter = ["section"]
    search_fields = ["code", "label"]


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    fields = ["siret", "is_head_office", "state", "sign_name", "postal_code", "commune_name"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    # The registry is INSEE's: edits here would be overwritten by the next import.
    list_display = ["siren", "display_name", "state", "headcount_bracket", "naf_code", "departement"]
    list_filter = ["state", "diffusion", "headcount_bracket", "departement__region"]
    search_fields = ["=siren", "denomination", "last_name"]
    list_select_related = ["departement"]
    raw_id_fields = ["departement"]
    inlines = [EstablishmentInline]
    show_full_result_count = False


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["siret", "company", "is_head_office", "state", "postal_code", "commune_name"]
    list_filter = ["state", "is_head_office"]
    search_fields = ["=siret", "sign_name", "company__denomination"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    show_full_result_count = False
