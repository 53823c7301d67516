"""URL patterns of a NinjaAPI: its operations, the docs' assets, and a JSON 404 for every other path."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import URLPattern, path, re_path

from tremplin.api.docs import docs_asset
from tremplin.api.errors import HTTP_MESSAGES


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


def urls(api):
    """What to `include()`: the patterns under the API's namespace (the docs reverse names in it)."""
    api_patterns, _app_name, _namespace = api.urls
    patterns = _exempt(
        [
            *api_patterns,
            path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
            re_path(r"^(?P<rest>.*)$", not_found),
        ]
    )
    return patterns, api.urls_namespace
