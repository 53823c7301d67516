"""Checks of identifiers and uploaded files, with messages in plain French."""

import re

from django.conf import settings
from django.utils.translation import gettext_noop
from PIL import Image
from pypdf import PdfReader
from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from tremplin.core.errors import ServiceError


def clean_siren(value: str, field="siren") -> str:
    raw = std_siren.compact(value or "")
    if not raw.isdigit() or len(raw) != 9:
        raise ServiceError("invalid_siren", "Le numéro SIREN doit comporter 9 chiffres.", field)
    try:
        return std_siren.validate(raw)
    except StdnumError:
        raise ServiceError(
            "invalid_siren",
            "Ce numéro SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle invalide).",
            field,
        ) from None


def clean_siret(value: str, field="siret") -> str:
    raw = std_siret.compact(value or "")
    if not raw.isdigit() or len(raw) != 14:
        raise ServiceError("invalid_siret", "Le numéro SIRET doit comporter 14 chiffres.", field)
    try:
        return std_siret.validate(raw)
    except StdnumError:
        raise ServiceError(
            "invalid_siret",
            "Ce numéro SIRET n'existe pas : vérifiez les 14 chiffres (clé de contrôle invalide).",
            field,
        ) from None


def clean_siren_or_siret(value: str, field="siren") -> tuple[str, str | None]:
    """Return (siren, siret or None) from what a person typed."""
    raw = "".join(ch for ch in (value or "") if not ch.isspace())
    if len(raw) == 14:
        siret = clean_siret(raw, field)
        return siret[:9], siret
    return clean_siren(raw, field), None


# Country codes of France and its overseas départements (Réunion and Mayotte, Guadeloupe, Guyane,
# Martinique): "+262 692 12 34 56" is dialled "0692 12 34 56" from France, like "+33 6 12 34 56 78".
FRENCH_CALLING_CODES = ("33", "262", "269", "590", "594", "596")
PHONE_SEPARATORS = re.compile(r"[\s.\-/\u00a0\u202f]")
NATIONAL_PHONE = re.compile(r"0[1-9]\d{8}")
PHONE_MESSAGE = gettext_noop(
    "Indiquez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)


def clean_phone(value: str, field="phone") -> str:
    """A French phone number as its 10 digits ("0612345678"), or "" when none was given.

    Takes "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "0033 6…"
    and the overseas départements' own codes (+262, +269, +590, +594, +596).
    """
    raw = PHONE_SEPARATORS.sub("", value or "").replace("(0)", "")
    if not raw:
        return ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        code = next((c for c in FRENCH_CALLING_CODES if raw.startswith(c, 1)), None)
        raw = "0" + raw[1 + len(code) :] if code else ""
    if not NATIONAL_PHONE.fullmatch(raw):
        raise ServiceError("invalid_phone", PHONE_MESSAGE, field)
    return raw


def clean_iban(value: str, field="iban") -> str:
    raw = std_iban.compact(value or "")
    if not raw:
        raise ServiceError("invalid_iban", "Indiquez l'IBAN du compte à créditer.", field)
    try:
        std_iban.validate(raw)
    except StdnumError:
        raise ServiceError(
            "invalid_iban",
            "Cet IBAN n'est pas valide : vérifiez-le sur votre relevé d'identité bancaire (RIB).",
            field,
        ) from None
    if not std_iban.is_valid(raw, check_country=True):
        raise ServiceError("invalid_iban", "Cet IBAN n'est pas valide pour son pays.", field)
    return raw


# The formats an upload may take, told by their first bytes (the name and the browser's type are not
# trusted), with the extension they are stored under: PDF, PNG, JPEG.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# What a browser would run as a page if it were ever served as one: refused anywhere in the first and last
# 64 KiB of a file (before a PDF's header, after its end, in an image's comments).
HTML_MARKERS = re.compile(rb"<html|<script|<!doctype|<svg|javascript:", re.IGNORECASE)
SCANNED_BYTES = 64 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG from its first bytes; None for anything else."""
    return next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)


def _check_size(upload, field, message):
    most = settings.MAX_UPLOAD_BYTES
    if upload.size > most:
        raise ServiceError("file_too_large", message, field, name=upload.name, most=f"{most / 1024 / 1024:g}")


def _check_no_html(upload, field):
    upload.seek(0)
    head = upload.read(SCANNED_BYTES)
    upload.seek(max(0, upload.size - SCANNED_BYTES))
    tail = upload.read(SCANNED_BYTES)
    upload.seek(0)
    if HTML_MARKERS.search(head) or HTML_MARKERS.search(tail):
        raise ServiceError(
            "unsafe_file",
            gettext_noop(
                "Le fichier « %(name)s » contient du code de page web (HTML ou script) : il est refusé. "
                "Enregistrez de nouveau le document au format PDF (ou l'image en PNG ou JPEG) depuis le "
                "logiciel qui l'a créé, puis déposez-le."
            ),
            field,
            name=upload.name,
        )


def _check_pdf_opens(upload, field):
    """pypdf opens the file and finds at least one page."""
    upload.seek(0)
    try:
        pages = len(PdfReader(upload).pages)
    except Exception:  # pypdf raises many kinds of errors on a broken file: each means "does not open".
        pages = 0
    finally:
        upload.seek(0)
    if pages < 1:
        raise ServiceError(
            "unreadable_pdf",
            gettext_noop(
                "Le fichier « %(name)s » ne peut pas être ouvert comme un PDF (il est peut-être incomplet ou "
                "abîmé) : ouvrez-le sur votre ordinateur, enregistrez-le de nouveau au format PDF puis "
                "déposez-le."
            ),
            field,
            name=upload.name,
        )


def _check_image_opens(upload, field):
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds of errors on a broken image: each means "does not open".
        opened = False
    else:
        opened = True
    finally:
        upload.seek(0)
    if not opened:
        raise ServiceError(
            "unreadable_image",
            gettext_noop(
                "L'image « %(name)s » ne peut pas être ouverte (elle est peut-être incomplète ou abîmée) : "
                "enregistrez-la de nouveau en PNG ou JPEG puis joignez-la."
            ),
            field,
            name=upload.name,
        )


def check_content(upload, kind, field):
    """Open the upload as the `kind` its first bytes announce and refuse any HTML around it."""
    _check_no_html(upload, field)
    if kind == "application/pdf":
        _check_pdf_opens(upload, field)
    else:
        _check_image_opens(upload, field)


def clean_pdf(upload, field="file"):
    """Refuse anything that is not a PDF (by parsing its content, not by its name) or is over the size cap.

    A PDF starts with `%PDF-` at its first byte, opens with pypdf, has a page and holds no HTML."""
    if upload is None:
        raise ServiceError("missing_file", "Ajoutez le document au format PDF.", field)
    _check_size(
        upload,
        field,
        gettext_noop(
            "Le fichier « %(name)s » dépasse %(most)s Mo : réduisez-le (par exemple en l'imprimant en PDF) "
            "et réessayez."
        ),
    )
    upload.seek(0)
    kind = sniff_content_type(upload.read(16))
    upload.seek(0)
    if kind != "application/pdf":
        raise ServiceError(
            "not_a_pdf",
            gettext_noop(
                "Le fichier « %(name)s » n'est pas un PDF. Enregistrez votre document au format PDF puis "
                "déposez-le."
            ),
            field,
            name=upload.name,
        )
    check_content(upload, kind, field)
    return upload


MAX_ATTACHMENTS = 5


def clean_attachments(uploads, field="attachments"):
    """Check a message's files: 5 at most, each a PDF, PNG or JPEG (by parsing its content) under the cap.

    Returns [(upload, content type)]; refuses the whole message on the first file that fails."""
    uploads = [upload for upload in uploads or () if upload]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ServiceError(
            "too_many_files",
            gettext_noop(
                "Joignez %(most)s fichiers au plus à un message (%(count)s choisis) : envoyez les autres "
                "dans un second message."
            ),
            field,
            most=MAX_ATTACHMENTS,
            count=len(uploads),
        )
    checked = []
    for upload in uploads:
        _check_size(
            upload,
            field,
            gettext_noop("Le fichier « %(name)s » dépasse %(most)s Mo : réduisez-le et réessayez."),
        )
        upload.seek(0)
        kind = sniff_content_type(upload.read(16))
        upload.seek(0)
        if kind is None:
            raise ServiceError(
                "unsupported_file",
                gettext_noop(
                    "Le fichier « %(name)s » n'est ni un PDF, ni une image PNG ou JPEG : enregistrez-le dans "
                    "l'un de ces formats (PDF, PNG ou JPEG) puis joignez-le de nouveau."
                ),
                field,
                name=upload.name,
            )
        check_content(upload, kind, field)
        checked.append((upload, kind))
    return checked
