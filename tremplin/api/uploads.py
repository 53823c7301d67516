"""Files sent to the API in multipart requests."""

import os


def safe_name(upload, default):
    """Keep the client's file name readable but short for the messages that name it (storage keeps the
    file under a random name of its own, `core.storage`)."""
    base = os.path.basename(upload.name or "").replace("\x00", "") or default
    stem, ext = os.path.splitext(base)
    upload.name = (stem[:60] or "document") + (ext.lower()[:5] if ext else ".pdf")
    return upload
