"""Requests that are done once however many times they are sent: a retried API call, a double-clicked form.

- **API**: a POST, PUT, PATCH or DELETE under /api/ with an `Idempotency-Key` header (1 to 255 visible
  ASCII characters). The key is the client's, scoped by its credential (the Authorization header).
- **Pages**: a POST form that carries a hidden `idempotency_key` field (`{% idempotency_field %}`, a new
  key each time the form is shown) from a signed-in person, the key scoped by that person.

The key is recorded in the same transaction as the request's own writes: both commit or neither does, so
a request that crashed leaves no key behind and its retry runs afresh. Two sends of one key at once: the
unique constraint makes the second wait for the first, then it gets the first one's answer (status, body,
redirect), marked `Idempotent-Replayed: true`; refusals are replayed too, server errors and 429s are not
kept. The same key for another request (method, path, query or body) is refused with 422
`idempotency_key_reused` in the API; on a page it is a form shown again from the history and changed, so
it is done as a new request. A key is kept a day (tremplin.privacy.retention, rule `api_replays`).
"""

import hashlib
import json
import secrets

from django.core.exceptions import RequestDataTooBig
from django.db import connection, transaction
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from tremplin.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
API_PREFIX = "/api/"  # config/urls.py
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
KEY_MAX_LENGTH = 255
NOT_KEPT = {429}


def new_key():
    return secrets.token_urlsafe(24)


def _error(status, code, message, field=HEADER):
    return HttpResponse(
        json.dumps({"code": code, "message": message, "field": field}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _valid_key(key):
    return 0 < len(key) <= KEY_MAX_LENGTH and all("!" <= char <= "~" for char in key)


def fingerprint(request):
    """SHA-256 of what makes the request this request: method, path, query, and the body (for a form or a
    multipart body, its fields and each file's name and content: the boundary changes at each send)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path}\n{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"field:{name}={value}\n".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"file:{name}={upload.name}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record):
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def _scope(text):
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyMiddleware:
    """Last of the middleware, so that its transaction holds the view's writes and nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            key = request.headers.get(HEADER)
            if key is None:
                return self.get_response(request)
            if not _valid_key(key):
                return _error(
                    400,
                    "invalid_idempotency_key",
                    f"La clé d'idempotence doit compter de 1 à {KEY_MAX_LENGTH} caractères ASCII visibles.",
                )
            scope, strict = _scope(request.headers.get("Authorization", "")), True
        else:
            try:
                key = request.POST.get(FIELD) if request.user.is_authenticated else None
            except (MultiPartParserError, RequestDataTooBig):
                key = None  # the view answers it, as it would without a key
            if not key or not _valid_key(key):
                return self.get_response(request)
            scope, strict = _scope(f"user:{request.user.pk}"), False
        try:
            request_print = fingerprint(request)
        except MultiPartParserError:
            return _error(
                400,
                "bad_request",
                "La requête est mal formée : vérifiez le corps de la requête (JSON ou multipart).",
                field=None,
            )
        except RequestDataTooBig:
            return self.get_response(request)  # refused there, with the same answer as without a key
        response = self._once(request, scope, key, request_print, strict)
        return self.get_response(request) if response is None else response

    def _once(self, request, scope, key, request_print, strict):
        """The answer, the first one's again, or None for a page's form changed since it was sent."""
        with transaction.atomic():
            record_id = _claim(scope, key, request_print)
            if record_id is None:
                first = IdempotencyRecord.objects.get(scope=scope, key=key)
                if first.created_at < timezone.now() - IdempotencyRecord.KEPT_FOR:
                    first.delete()  # a key kept past its day means nothing any more: this is a new request
                    record_id = _claim(scope, key, request_print)
                    if record_id is None:  # a send of the same key at this very moment claimed it first
                        first = IdempotencyRecord.objects.get(scope=scope, key=key)
            if record_id is None:
                if first.fingerprint != request_print:
                    if not strict:
                        return None
                    return _error(
                        422,
                        "idempotency_key_reused",
                        "Cette clé d'idempotence a déjà servi pour une autre requête : "
                        "envoyez une nouvelle clé pour une nouvelle requête.",
                    )
                return _replay(first)
            response = self.get_response(request)
            if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
                # Nothing of the request stays, its key included: the retry runs afresh.
                transaction.set_rollback(True)
                return response
            IdempotencyRecord.objects.filter(pk=record_id).update(
                status=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                location=response.get("Location", ""),
                body=response.content,
            )
        return response


def _claim(scope, key, request_print):
    """Record the key for this request; its id, or None when the key is recorded already.

    One statement, no savepoint: `ON CONFLICT DO NOTHING` waits for a send of the same key still under way
    (the unique constraint), then finds its row (PostgreSQL, SQLite since 3.35).
    """
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, key, fingerprint, status, content_type, location, body, created_at) "
            "VALUES (%s, %s, %s, 0, '', '', %s, %s) ON CONFLICT (scope, key) DO NOTHING RETURNING id",
            [scope, key, request_print, b"", connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        row = cursor.fetchone()
    return row[0] if row else None
