"""Where uploads are kept: under MEDIA_ROOT (outside the web root, never served by a URL of its own), each
under a random name with the extension of its real type, whatever name and extension the client sent.

The default storage (settings.STORAGES), so every FileField uses it without naming it; the page shows a
file under a name of its own (`core.web.document_response`), never the stored one. A model with uploads
says where the platform serves each (`document_url(field)`); a stored file's `.url` leads there. Files stored before
keep their name and still open.
"""

import posixpath
import uuid

from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from tremplin.core.validators import EXTENSIONS, sniff_content_type


class UploadStorage(FileSystemStorage):
    def save(self, name, content, max_length=None):
        folder = posixpath.dirname(name or getattr(content, "name", "") or "")
        return super().save(posixpath.join(folder, random_name(content)), content, max_length)

    def url(self, name):
        """A stored file's address (`FieldFile.url`, the admin's links): `core.web.stored_file`, which
        sends to the page that serves it after checking access. Nothing serves MEDIA_ROOT itself."""
        return reverse("stored_file", args=[name])


def random_name(content):
    """A random file name ending with the extension of the content's type (`.bin` when it is none of
    the accepted formats: such a file is only ever downloaded, never opened in the browser)."""
    if hasattr(content, "seek"):
        content.seek(0)
    head = content.read(16)
    if hasattr(content, "seek"):
        content.seek(0)
    return uuid.uuid4().hex + EXTENSIONS.get(sniff_content_type(head), ".bin")
