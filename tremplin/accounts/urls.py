from django.urls import path

from tremplin.accounts import proconnect_views, second_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("verification/nouveau-lien/", views.resend_verification, name="resend_verification"),
    path("verification/<str:token>/", views.verify, name="verify"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("proconnect/connexion/", proconnect_views.start, name="proconnect_start"),
    path("proconnect/retour/", proconnect_views.callback, name="proconnect_callback"),
    path("proconnect/deconnecte/", proconnect_views.logout_done, name="proconnect_logout_done"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/recues/", views.inbox, name="inbox"),
    path("notifications/recues/<int:pk>/", views.open_notification, name="open_notification"),
    path("notifications/recues/tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("mot-de-passe/modifie/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("securite/", second_factor_views.security, name="security"),
    path("double-authentification/activation/", second_factor_views.enrol, name="second_factor_enrol"),
    path("double-authentification/codes-de-secours/", second_factor_views.codes, name="second_factor_codes"),
    path("double-authentification/verification/", second_factor_views.verify, name="second_factor_verify"),
]
