from django.urls import path

from tremplin.fraud import views

app_name = "fraud"
urlpatterns = [
    path("signalements/", views.flag_list, name="list"),
]
