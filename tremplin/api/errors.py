"""Every API error has the same JSON shape: {"code", "message" (French), "field"?, "details"?}."""

from http import HTTPStatus
from typing import Any

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from tremplin.core.errors import NotFound, ServiceError

__all__ = ["NotFound"]


class Error(Schema):
    code: str
    message: str
    field: str | None = None
    details: dict[str, Any] | None = Field(
        None,
        description="Le détail structuré de certains refus : pour `de_minimis_ceiling`, le contrôle de minimis "
        "(les sommes sur l'entreprise unique, la période de 3 ans et le plafond, comme `DeMinimisOut`).",
    )


class InvalidItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    code: str
    message: str
    errors: list[InvalidItem]


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Invalid, 429: Error}


def responses(ok_status=200, ok_schema=None):
    """Success schema plus every error shape an operation may answer with."""
    return {ok_status: ok_schema, **ERRORS}


def refusals(*documented):
    """`openapi_extra` naming refusals of an operation that its schema cannot express, each as
    (status, why, error): the status's description gives the error's code and why, and the error (the
    `Error` JSON the API answers) is an example of that status."""
    described = {}
    for status, why, error in documented:
        response = described.setdefault(
            status,
            {
                "description": HTTPStatus(status).phrase + ".",
                "content": {"application/json": {"examples": {}}},
            },
        )
        response["description"] += f" `{error['code']}` : {why}"
        response["content"]["application/json"]["examples"][error["code"]] = {"value": error}
    return {"responses": described}


HTTP_MESSAGES = {
    400: ("bad_request", "La requête est mal formée : vérifiez le corps de la requête (JSON ou multipart)."),
    401: (
        "unauthenticated",
        "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> ».",
    ),
    403: ("forbidden", "Vous n'avez pas le droit d'effectuer cette action."),
    404: ("not_found", "Ressource introuvable."),
    429: ("throttled", "Trop de requêtes : réessayez dans quelques instants."),
}


def install(api):
    @api.exception_handler(ServiceError)
    def service_error(request, exc):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        # Only our own code raises Http404 here, always with a French message ("Dossier introuvable.").
        message = str(exc) or HTTP_MESSAGES[404][1]
        return api.create_response(request, {"code": "not_found", "message": message}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        code, message = HTTP_MESSAGES[401]
        response = api.create_response(request, {"code": code, "message": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(MultiPartParserError)
    def unreadable_body(request, exc):
        # A multipart body without a usable boundary: Django would answer its own HTML 400 page.
        code, message = HTTP_MESSAGES[400]
        return api.create_response(request, {"code": code, "message": message}, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code, message = HTTP_MESSAGES.get(exc.status_code, ("error", str(exc)))
        return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        errors = [
            {
                "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors
        ]
        fields = ", ".join(str(e["loc"][-1]) for e in errors if e["loc"])
        message = "Les données envoyées ne sont pas valides" + (f" ({fields})." if fields else ".")
        return api.create_response(
            request, {"code": "invalid", "message": message, "errors": errors}, status=422
        )
