"""Swagger UI served from django-ninja's bundled assets, so the docs work offline and without a CDN.

The project does not list "ninja" in INSTALLED_APPS (its templates and static files would then be
picked up globally); this page and its three assets are served by the API itself instead.
"""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.html import escape, json_script
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        def asset(name):
            return reverse(f"{api.urls_namespace}:docs-asset", args=[name])

        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        html = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" type="image/png" href="{asset("favicon.png")}">
</head>
<body>
{json_script(settings, "swagger-settings")}
<div id="swagger-ui"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        return HttpResponse(html)


@require_GET
@cache_control(public=True, max_age=86400)
def docs_asset(request, name):
    if name not in ASSETS:
        raise Http404("Fichier introuvable.")
    return FileResponse((ASSETS_DIR / name).open("rb"), content_type=ASSETS[name])
