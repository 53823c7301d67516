from django.urls import path

from tremplin.vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export.<str:fmt>", views.list_export, name="list_export"),
    path("paiements-demandes.<str:fmt>", views.claims_export, name="claims_export"),
    path("nouveau/", views.new, name="new"),
    path("contester/", views.contest, name="contest"),
    path("instruction/", views.queue, name="queue"),
    path("instruction/export.<str:fmt>", views.queue_export, name="queue_export"),
    path("instruction/attribuer/", views.assign_bulk, name="assign_bulk"),
    path("dispositifs/", views.schemes, name="schemes"),
    path("dispositifs/<slug:slug>/", views.scheme, name="scheme"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accuse-de-reception/", views.receipt, name="receipt"),
    path("<int:pk>/brouillon/", views.edit, name="edit"),
    path("<int:pk>/brouillon/supprimer/", views.delete, name="delete"),
    path("<int:pk>/attribuer/", views.assign, name="assign"),
    path("<int:pk>/qui-demande/", views.who_applies, name="who_applies"),
    path("<int:pk>/attestation-a-signer.pdf", views.statement, name="statement"),
    path("<int:pk>/compte/<slug:action>/", views.payee_action, name="payee_action"),
    path("<int:pk>/actions/<slug:action>/", views.act, name="act"),
    path("<int:pk>/pieces/<slug:kind>.pdf", views.document, name="document"),
    path(
        "<int:pk>/messages/<int:message_pk>/pieces-jointes/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
    path("<int:pk>/lettre-de-decision.pdf", views.letter, name="letter"),
]
