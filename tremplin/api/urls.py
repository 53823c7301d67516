from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import URLPattern, path, re_path

from tremplin.api.docs import docs_asset
from tremplin.api.errors import HTTP_MESSAGES
from tremplin.api.main import api

app_name = "api"


def _exempt(patterns):
    """The API authenticates each request with its token: LoginRequiredMiddleware must not redirect."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
        else:
            _exempt(pattern.url_patterns)
    return patterns


def not_found(request, rest=""):
    code, message = HTTP_MESSAGES[404]
    return JsonResponse({"code": code, "message": message}, status=404)


api_patterns, _app_name, _namespace = api.urls

urlpatterns = _exempt(
    [
        *api_patterns,
        path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
        re_path(r"^(?P<rest>.*)$", not_found),
    ]
)
