"""Checks of identifiers and uploaded files, with messages in plain French."""

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
