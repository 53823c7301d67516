"""The project's URLs with the providers router mounted at /api/v1/providers, as the lead wires it.

Until config.api registers the router, the tests mount it on an API of their own,
with the same token authentication and error handling.
"""

from django.urls import path
from ninja import NinjaAPI

from config.api import api as main_api
from config.urls import urlpatterns as project_urls
from tremplin.api import errors
from tremplin.api.auth import TokenAuth
from tremplin.api.urls import _exempt

mounted = any(prefix.strip("/") == "providers" for prefix, *_rest in main_api._routers)

if mounted:
    urlpatterns = project_urls
else:
    test_api = NinjaAPI(urls_namespace="providers_api_tests", auth=TokenAuth(), docs_url=None)
    errors.install(test_api)
    test_api.add_router("/providers", "tremplin.providers.api.router")
    urlpatterns = [
        path("api/v1/", (_exempt(test_api.urls[0]), "providers_api_tests", "providers_api_tests")),
        *project_urls,
    ]
