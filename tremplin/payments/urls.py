from django.urls import path

from tremplin.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.batches, name="batches"),
    path("lots/export.<str:fmt>", views.batches_export, name="batches_export"),
    path("lots/nouveau/", views.create, name="create"),
    path("dispositifs/<int:scheme_pk>/apercu/", views.preview, name="preview"),
    path("lots/<int:pk>/", views.batch_detail, name="batch"),
    path("lots/<int:pk>/virements.xml", views.sepa, name="sepa"),
    path("lots/<int:pk>/export.<str:fmt>", views.batch_export, name="batch_export"),
    path("lots/<int:pk>/regenerer/", views.regenerate, name="regenerate"),
    path("lots/<int:pk>/payer/", views.mark_paid, name="mark_paid"),
    path("lots/<int:pk>/annuler/", views.cancel, name="cancel"),
]
