from django.urls import path

from tremplin.steering import views

app_name = "steering"
urlpatterns = [
    path("", views.index, name="index"),
    path("portee/", views.reach_page, name="reach"),
]
