from django.urls import path

from tremplin.authority import views

app_name = "authority"
urlpatterns = [
    path("", views.mandates, name="mandates"),
    path("entreprises/<int:company_pk>/donner/", views.give, name="give"),
    path("<int:pk>/retirer/", views.revoke, name="revoke"),
]
