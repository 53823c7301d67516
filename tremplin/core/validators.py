"""Checks of identifiers and uploaded files, with messages in plain French."""

import re

from django.utils.translation import gettext_noop
from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

from tremplin.core.errors import ServiceError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


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


def clean_pdf(upload, field="file"):
    """Refuse anything that is not a PDF (by content, not by name) or is over 10 MB."""
    if upload is None:
        raise ServiceError("missing_file", "Ajoutez le document au format PDF.", field)
    if upload.size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            "file_too_large",
            f"Le fichier « {upload.name} » dépasse 10 Mo : réduisez-le (par exemple en l'imprimant en PDF) et réessayez.",
            field,
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ServiceError(
            "not_a_pdf",
            f"Le fichier « {upload.name} » n'est pas un PDF. Enregistrez votre document au format PDF puis déposez-le.",
            field,
        )
    return upload


MAX_ATTACHMENTS = 5
# The formats a message may carry, told by their first bytes (the name and the browser's type are not
# trusted): PDF, PNG, JPEG.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG from its first bytes; None for anything else."""
    return next((kind for signature, kind in SIGNATURES if head.startswith(signature)), None)


def clean_attachments(uploads, field="attachments"):
    """Check a message's files: 5 at most, each a PDF, PNG or JPEG (by content) of 10 MB at most.

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
        if upload.size > MAX_UPLOAD_BYTES:
            raise ServiceError(
                "file_too_large",
                gettext_noop("Le fichier « %(name)s » dépasse 10 Mo : réduisez-le et réessayez."),
                field,
                name=upload.name,
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
        checked.append((upload, kind))
    return checked
