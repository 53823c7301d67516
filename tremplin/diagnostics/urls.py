from django.urls import path

from tremplin.diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.diagnostic_list, name="list"),
    path("commencer/", views.start, name="start"),
    path("<int:pk>/etape-<int:number>/", views.step, name="step"),
    path("<int:pk>/resultats/", views.results_page, name="results"),
    path("<int:pk>/rapport.pdf", views.report, name="report"),
]
