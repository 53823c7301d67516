from django.contrib import admin
from django.urls import include, path

from config.api import api
from tremplin.api.urls import urls as api_urls
from tremplin.core.web import stored_file

urlpatterns = [
    path("", include("tremplin.front.urls")),
    path("compte/", include("tremplin.accounts.urls")),
    path("dossiers/", include("tremplin.vouchers.urls")),
    path("mandats/", include("tremplin.authority.urls")),
    path("paiements/", include("tremplin.payments.urls")),
    path("diagnostic/", include("tremplin.diagnostics.urls")),
    path("prestataires/", include("tremplin.providers.urls")),
    path("reseau/", include("tremplin.network.urls")),
    path("controle/", include("tremplin.fraud.urls")),
    path("mes-donnees/", include("tremplin.privacy.urls")),
    path("pilotage/", include("tremplin.steering.urls")),
    path("donnees-ouvertes/", include("tremplin.steering.public_urls")),
    path("api/v1/", include(api_urls(api))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # A stored file's address (FieldFile.url): to the page that serves it after checking access.
    path("fichiers/<path:name>", stored_file, name="stored_file"),
]

# The error pages (tremplin/front/errors.py; the CSRF failure's is settings.CSRF_FAILURE_VIEW). With
# DEBUG on, Django shows its technical pages for 400, 404 and 500: see /apercu-erreur/<code>/.
handler400 = "tremplin.front.errors.bad_request"
handler403 = "tremplin.front.errors.permission_denied"
handler404 = "tremplin.front.errors.page_not_found"
handler500 = "tremplin.front.errors.server_error"
