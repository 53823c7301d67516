from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path("api/v2/", include("oauth2_provider.urls")),
    path("connexion/", LoginView.as_view(template_name="provider_login.html"), name="login"),
]
