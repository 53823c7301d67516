from django.urls import path

from tremplin.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.index, name="index"),
    path("registre-aides-etat/", views.state_aid_register, name="state_aid_register"),
]
