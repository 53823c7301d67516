"""`Idempotency-Key` on the API's state-changing requests: a client that retries (a timeout, a dropped
connection, a server killed mid-request) gets the first answer again and nothing is done twice.

The key is recorded in the same transaction as the request's own writes: either both commit or neither
does, so a request that crashed leaves no key behind and its retry runs afresh. Two requests with the same
key at once: the database's unique constraint makes the second wait for the first, then replay its answer.
A key is the client's (scoped by its credential), and stands for one request: the same key with another
method, path or body is refused (422 `idempotency_key_reused`). A key is kept a day
(tremplin.privacy.retention); after that it may be used again.
"""

import hashlib
import json

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from tremplin.api.errors import HTTP_MESSAGES
from tremplin.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
PREFIX = "/api/"  # config/urls.py
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
KEY_MAX_LENGTH = 255
# Answers a retry must not get back: the server's errors (nothing was done, try again) and the throttle's.
NOT_KEPT = {429}


def _error(status, code, message):
    return HttpResponse(
        json.dumps({"code": code, "message": message, "field": HEADER}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _valid_key(key):
    return 0 < len(key) <= KEY_MAX_LENGTH and all("!" <= char <= "~" for char in key)


def fingerprint(request):
    """SHA-256 of what makes the request this request: method, path, query, and the body (for a multipart
    body, its fields and each file's name and content, since the boundary changes at each send)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path}\n{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type == "multipart/form-data":
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
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Applies to the API's POST, PUT, PATCH and DELETE requests that carry the header; others pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not _valid_key(key):
            return _error(
                400,
                "invalid_idempotency_key",
                f"La clé d'idempotence doit compter de 1 à {KEY_MAX_LENGTH} caractères ASCII visibles.",
            )
        try:
            request_print = fingerprint(request)
        except MultiPartParserError:
            return _error(400, *HTTP_MESSAGES[400])
        except RequestDataTooBig:
            return self.get_response(request)  # refused there, with the same answer as without a key
        scope = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()
        with transaction.atomic():
            IdempotencyRecord.objects.filter(
                scope=scope, key=key, created_at__lt=timezone.now() - IdempotencyRecord.KEPT_FOR
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope, key=key, fingerprint=request_print, status=0, content_type="", body=b""
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.get(scope=scope, key=key)
                if first.fingerprint != request_print:
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
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "application/json")
            record.body = response.content
            record.save(update_fields=["status", "content_type", "body"])
        return response
