from django.contrib import admin

from tremplin.core.admin import ReadOnlyAdmin
from tremplin.registry.models import Commune, Company, Departement, Establishment, NafCode, NafSection, Region

# Registry data comes from INSEE imports: a fix made here would be overwritten by the next one.


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "departement"]
    search_fields = ["=code", "name"]
    list_select_related = ["departement"]


@admin.register(NafSection)
class NafSectionAdmin(ReadOnlyAdmin):
    list_display = ["code", "label"]


@admin.register(NafCode)
class NafCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "section"]
    list_filter = ["section"]
    search_fields = ["code", "label"]


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    fields = ["siret", "is_head_office", "state", "postal_code", "commune_name"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = [
        "siren",
        "display_name",
        "state",
        "headcount_bracket",
        "legal_form",
        "naf_code",
        "departement",
    ]
    list_filter = ["state", "diffusion"]
    # Millions of rows: exact SIREN or the start of the name, never a full scan or an exact count.
    search_fields = ["=siren", "^denomination"]
    show_full_result_count = False
    list_select_related = ["departement"]
    inlines = [EstablishmentInline]


@admin.register(Establishment)
class EstablishmentAdmin(ReadOnlyAdmin):
    list_display = ["siret", "company", "is_head_office", "state", "postal_code", "commune_name"]
    list_filter = ["state", "is_head_office"]
    search_fields = ["=siret", "=company__siren"]
    show_full_result_count = False
    list_select_related = ["company"]
