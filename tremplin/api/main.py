from ninja import NinjaAPI

from tremplin.api import errors
from tremplin.api.auth import TokenAuth
from tremplin.api.docs import LocalSwagger

DESCRIPTION = """API du programme Tremplin Numérique (chèque numérique) pour les systèmes partenaires.

Authentification : `Authorization: Bearer <jeton>`. Montants en centimes (entiers). Erreurs :
`{"code", "message", "field"}` ; 422 pour une requête qui ne respecte pas le schéma.
"""

api = NinjaAPI(
    title="Tremplin Numérique API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs=LocalSwagger(),
)
errors.install(api)

api.add_router("/registry", "tremplin.api.registry.router")
api.add_router("/schemes", "tremplin.api.schemes.router")
api.add_router("/applications", "tremplin.api.applications.router")
api.add_router("/schemes", "tremplin.api.payments.scheme_router")
api.add_router("/payment-batches", "tremplin.api.payments.router")
api.add_router("/providers", "tremplin.providers.api.router")
api.add_router("/network", "tremplin.network.api.router")
api.add_router("/diagnostics", "tremplin.diagnostics.api.router")
