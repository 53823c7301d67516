from django.urls import path

from tremplin.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("telecharger/<str:kind>/", views.download, name="download"),
]
