"""Files sent to the API in multipart requests."""

import os


def pdf_parts(*names, schema=None):
    """`openapi_extra` of a multipart operation: each named part is a PDF (the services parse it and refuse
    anything else, 400 `not_a_pdf`), and `schema` adds to the body's schema (which parts go together)."""
    body = {"encoding": {name: {"contentType": "application/pdf"} for name in names}}
    if schema:
        body["schema"] = schema
    return {"requestBody": {"content": {"multipart/form-data": body}}}


def safe_name(upload, default):
    """Keep the client's file name readable but short for the messages that name it (storage keeps the
    file under a random name of its own, `core.storage`)."""
    base = os.path.basename(upload.name or "").replace("\x00", "") or default
    stem, ext = os.path.splitext(base)
    upload.name = (stem[:60] or "document") + (ext.lower()[:5] if ext else ".pdf")
    return upload
