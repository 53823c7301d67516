"""The open-data files, public (no login): /donnees-ouvertes/<dataset>.<csv|parquet> and
/donnees-ouvertes/<dataset>/schema.json."""

from django.urls import path

from tremplin.steering import public_views

app_name = "opendata"
urlpatterns = [
    path("<slug:dataset>.<slug:fmt>", public_views.dataset_file, name="file"),
    path("<slug:dataset>/schema.json", public_views.schema, name="schema"),
]
