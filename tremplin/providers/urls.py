from django.urls import path

from tremplin.providers import views

app_name = "providers"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("export.<str:fmt>", views.directory_export, name="directory_export"),
    path("inscription/", views.signup, name="signup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/avis.<str:fmt>", views.reviews_export, name="reviews_export"),
    path("<int:pk>/habilitation/<slug:action>/", views.accreditation_act, name="accreditation_act"),
    path("habilitations/", views.accreditations, name="accreditations"),
    path("habilitations/export.<str:fmt>", views.accreditations_export, name="accreditations_export"),
    path("espace/", views.dashboard, name="dashboard"),
    path("espace/profil/", views.profile, name="profile"),
    path("espace/equipe/", views.members, name="members"),
    path("espace/documents/", views.upload_document, name="upload_document"),
    path("documents/<int:pk>.pdf", views.document_file, name="document_file"),
    path("espace/offres/", views.offers, name="offers"),
    path("espace/offres/nouvelle/", views.offer_edit, name="offer_new"),
    path("espace/offres/<int:pk>/", views.offer_edit, name="offer_edit"),
    path("espace/offres/<int:pk>/supprimer/", views.offer_delete, name="offer_delete"),
    path("dossiers/<int:application_pk>/prestataire/", views.pick_provider, name="pick_provider"),
    path("dossiers/<int:application_pk>/devis/", views.application_quotes, name="application_quotes"),
    path("dossiers/<int:application_pk>/avis/", views.review_new, name="review_new"),
    path("demandes-de-devis/<int:pk>/annuler/", views.quote_request_cancel, name="quote_request_cancel"),
    path("devis/<int:pk>/repondre/", views.quote_answer, name="quote_answer"),
    path("devis/<int:pk>/choisir/", views.quote_choose, name="quote_choose"),
    path("devis/<int:pk>.pdf", views.quote_file, name="quote_file"),
    path("avis/<int:pk>/repondre/", views.review_answer, name="review_answer"),
    path("avis/<int:pk>/moderer/", views.review_moderate, name="review_moderate"),
]
