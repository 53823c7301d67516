from django.urls import path

from tremplin.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.index, name="index"),
    path("parcours/", views.funnel_page, name="funnel"),
    path("delais/", views.delays_page, name="delays"),
    path("reseau/", views.network_page, name="network"),
    path("budget/", views.budget, name="budget"),
    path("portee/", views.reach_page, name="reach"),
    path("donnees-ouvertes/", views.open_data, name="open_data"),
    path("registre-aides-etat/", views.state_aid_register, name="state_aid_register"),
]
