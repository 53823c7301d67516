from django.contrib import admin

from tremplin.core.admin import ReadOnlyAdmin
from tremplin.network.models import (
    Action,
    AdvisorProfile,
    Antenna,
    AwarenessSession,
    CoachingSession,
    Match,
    Organisation,
    OrganisationFilter,
    Request,
    Theme,
)


class OrganisationFilterInline(admin.TabularInline):
    model = OrganisationFilter
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["departements"]
    inlines = [OrganisationFilterInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


@admin.register(Antenna)
class AntennaAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation__kind"]
    search_fields = ["name", "organisation__name"]
    filter_horizontal = ["departements", "themes"]
    raw_id_fields = ["communes"]


@admin.register(AdvisorProfile)
class AdvisorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "antenna"]
    search_fields = ["user__email", "user__last_name"]
    filter_horizontal = ["specialties"]
    raw_id_fields = ["user"]


# Requests, matches and the action log only change through the network services.
@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    # The phone is for the advisors the request was sent to only (see the request page).
    exclude = ["phone"]
    list_display = ["siret", "theme", "departement", "created_at", "archived_at"]
    list_filter = ["theme"]
    search_fields = ["siret"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["request", "advisor", "state", "created_at", "updated_at"]
    list_filter = ["state"]


@admin.register(AwarenessSession)
class AwarenessSessionAdmin(ReadOnlyAdmin):
    list_display = ["on", "title", "theme", "organiser"]


@admin.register(CoachingSession)
class CoachingSessionAdmin(ReadOnlyAdmin):
    list_display = ["on", "advisor", "company", "topic"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["on", "kind", "advisor", "organisation", "company", "departement"]
    list_filter = ["kind"]
