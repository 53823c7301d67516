"""The open-data files for anyone, signed in or not: the latest build (tremplin.steering.opendata)."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from tremplin.steering import opendata

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def _dataset(slug):
    dataset = opendata.DATASETS.get(slug)
    if dataset is None:
        raise Http404
    return dataset


@login_not_required
@require_safe
def dataset_file(request, dataset, fmt):
    dataset = _dataset(dataset)
    if fmt not in dataset.formats:
        raise Http404
    file = opendata.published(dataset, fmt)
    response = FileResponse(
        file.path.open("rb"), as_attachment=True, filename=file.filename, content_type=CONTENT_TYPES[fmt]
    )
    response["Last-Modified"] = http_date(file.generated_at.timestamp())
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_not_required
@require_safe
def schema(request, dataset):
    body = json.dumps(_dataset(dataset).schema, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
