from django.urls import path

from tremplin.front import errors, views

# The namespace predates the app: every template and redirect reverses "core:…".
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("verifier-mon-eligibilite/", views.check, name="check"),
    path("espace/", views.dashboard, name="dashboard"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("langue/", views.set_language, name="set_language"),
    path("apercu-erreur/<str:code>/", errors.preview, name="error_preview"),
]
