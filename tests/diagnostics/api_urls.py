"""The project's URLs plus the diagnostics router on a test API instance, until the lead mounts it on
/api/v1/diagnostics: same token auth, same error handlers, same paths."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from ninja import NinjaAPI

from tremplin.api import errors
from tremplin.api.auth import TokenAuth
from tremplin.diagnostics.api import router

api = NinjaAPI(title="test", urls_namespace="diagnostics_api_test", auth=TokenAuth(), docs_url=None)
errors.install(api)
api.add_router("/diagnostics", router)

patterns, app_name, namespace = api.urls
for pattern in patterns:
    login_not_required(pattern.callback)

urlpatterns = [
    path("api/v1/", include((patterns, app_name), namespace=namespace)),
    path("", include("config.urls")),
]
