"""The partners' API at /api/v1/: tremplin.api's toolkit (token auth, errors, docs) around each app's router.

tremplin.api imports no domain app; each app owns its router, and this is the one place that knows them
all. The order below is the order of the OpenAPI document.
"""

from ninja import NinjaAPI

from tremplin.api import errors, throttling
from tremplin.api.auth import TokenAuth
from tremplin.api.docs import LocalSwagger
from tremplin.authority import api as authority
from tremplin.diagnostics import api as diagnostics
from tremplin.network import api as network
from tremplin.payments import api as payments
from tremplin.providers import api as providers
from tremplin.registry import api as registry
from tremplin.schemes import api as schemes
from tremplin.vouchers import api as vouchers

DESCRIPTION = """API du programme Tremplin Numérique (chèque numérique) pour les systèmes partenaires.

Authentification : `Authorization: Bearer <jeton>`. Montants en centimes (entiers). Erreurs :
`{"code", "message", "field"}` ; 422 pour une requête qui ne respecte pas le schéma.

Réessais : une requête POST, PUT, PATCH ou DELETE envoyée avec l'en-tête `Idempotency-Key: <clé>`
(1 à 255 caractères ASCII visibles, une clé par requête) n'est exécutée qu'une fois ; la renvoyer avec la
même clé rend la première réponse (en-tête `Idempotent-Replayed: true`), la même clé pour une autre
requête est refusée (422 `idempotency_key_reused`). Une clé vaut un jour.
"""

api = NinjaAPI(
    title="Tremplin Numérique API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs=LocalSwagger(),
    throttle=throttling.throttles(),
)
errors.install(api)

api.add_router("/registry", registry.router)
api.add_router("/authority", authority.router)
api.add_router("/schemes", schemes.router)
api.add_router("/schemes", vouchers.scheme_router)
api.add_router("/applications", vouchers.router)
api.add_router("/schemes", payments.scheme_router)
api.add_router("/payment-batches", payments.router)
api.add_router("/providers", providers.router)
api.add_router("/network", network.router)
api.add_router("/diagnostics", diagnostics.router)
