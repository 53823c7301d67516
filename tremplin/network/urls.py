from django.urls import path

from tremplin.network import views

app_name = "network"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mes-demandes.<str:fmt>", views.matches_export, name="matches_export"),
    path("journal-des-actions.<str:fmt>", views.actions_export, name="actions_export"),
    path("demande/", views.new_request, name="new_request"),
    path("demande/envoyee/", views.request_sent, name="request_sent"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("demandes/<int:pk>/orienter/", views.assign, name="assign"),
    path("mises-en-relation/<int:pk>/etat/", views.match_state, name="match_state"),
    path("mises-en-relation/<int:pk>/reattribuer/", views.reassign, name="reassign"),
    path("file-nationale/", views.national_queue_page, name="national_queue"),
    path("file-nationale/export.<str:fmt>", views.national_queue_export, name="national_queue_export"),
    path("actions/sensibilisation/", views.new_awareness, name="new_awareness"),
    path("actions/accompagnement/", views.new_coaching, name="new_coaching"),
]
