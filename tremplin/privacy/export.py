"""A person's own data, as the platform holds it (GDPR art. 15 and 20): one document, for the JSON and the
PDF downloads of "Mes données personnelles".

`personal_data(user)` reads every area through one table, `SECTIONS`: each section names the rows that are
the person's (their account, what they declared, their files and what was exchanged on them, their
requests, diagnostics, reviews, notifications, what they did) and the fields shown. Nothing of another
person is included beyond what the person already reads on their pages (the advisor's name on a message
of their file). Uploaded documents are described (kind, size, SHA-256), not copied: each opens from its
own page. Amounts are integer cents in the JSON, as everywhere, and euros in the PDF.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import ApiToken, IdentityProviderLink, User
from tremplin.authority.models import Mandate, Representation
from tremplin.authority.payee import Outcome
from tremplin.core.formatting import euros
from tremplin.core.models import AuditEvent, Notification
from tremplin.diagnostics.models import Diagnostic
from tremplin.network.models import Request
from tremplin.providers.models import QuoteRequest, Review
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers.models import Application, Claim, Message, MessageAttachment

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: str  # the PDF's heading
    rows: object  # user → queryset of the person's rows
    fields: tuple  # model fields or attributes, in the order shown


SECTIONS = [
    Section(
        "account",
        _("Votre compte"),
        lambda user: User.objects.filter(pk=user.pk),
        (
            "email",
            "first_name",
            "last_name",
            "role",
            "email_verified",
            "organisation",
            "provider",
            "notification_frequency",
            "date_joined",
            "last_login",
        ),
    ),
    Section(
        "api_tokens",
        _("Vos jetons d'accès à l'API"),
        lambda user: ApiToken.objects.filter(user=user),
        ("name", "prefix", "created_at", "last_used_at"),
    ),
    Section(
        "identity_links",
        _("Vos connexions par ProConnect"),
        lambda user: IdentityProviderLink.objects.filter(user=user),
        ("provider", "subject", "linked_at", "last_used_at"),
    ),
    Section(
        "representations",
        _("Ce que vous avez déclaré pour agir au nom d'une entreprise"),
        lambda user: Representation.objects.filter(user=user).select_related("company"),
        (
            "company",
            "capacity",
            "given_names",
            "family_name",
            "birth_date",
            "status",
            "basis",
            "matched_role",
            "checked_at",
            "register_extract",
            "extract_issued_on",
            "statement",
            "decided_at",
            "decision_note",
            "created_at",
        ),
    ),
    Section(
        "mandates_given",
        _("Les mandats que vous avez donnés"),
        lambda user: Mandate.objects.filter(grantor=user).select_related("company"),
        ("company", "holder_name", "holder_email", "kind", "valid_until", "created_at", "revoked_at"),
    ),
    Section(
        "mandates_held",
        _("Les mandats que l'on vous a donnés"),
        lambda user: Mandate.objects.filter(holder_email__iexact=user.email).select_related("company"),
        ("company", "kind", "valid_until", "created_at", "revoked_at"),
    ),
    Section(
        "applications",
        _("Vos demandes de chèque"),
        lambda user: Application.objects.filter(owner=user).select_related("company", "scheme", "provider"),
        (
            "reference",
            "company",
            "scheme",
            "state",
            "declared_headcount",
            "declared_turnover_cents",
            "declared_de_minimis_cents",
            "project_description",
            "spend_category",
            "provider",
            "planned_spend_cents",
            "amount_cents",
            "iban",
            "account_holder",
            "bank_document",
            "payee_outcome",
            "quote",
            "created_at",
            "submitted_at",
            "decided_at",
            "valid_until",
        ),
    ),
    Section(
        "claims",
        _("Vos demandes de paiement"),
        lambda user: Claim.objects.filter(application__owner=user).select_related("application"),
        (
            "application",
            "invoiced_spend_cents",
            "payable_cents",
            "invoice_number",
            "invoice_date",
            "invoice",
            "proof_of_payment",
            "submitted_at",
            "approved_at",
        ),
    ),
    Section(
        "messages",
        _("Les messages de vos dossiers"),
        lambda user: Message.objects.filter(Q(application__owner=user) | Q(author=user)).select_related(
            "application", "author"
        ),
        ("application", "author", "at", "body"),
    ),
    Section(
        "attachments",
        _("Les pièces jointes de ces messages"),
        lambda user: MessageAttachment.objects.filter(
            Q(message__application__owner=user) | Q(message__author=user)
        ).select_related("message__application"),
        ("message", "original_name", "content_type", "size", "file"),
    ),
    Section(
        "quote_requests",
        _("Vos demandes de devis"),
        lambda user: QuoteRequest.objects.filter(owner=user).select_related("application"),
        ("application", "category", "description", "state", "created_at"),
    ),
    Section(
        "reviews",
        _("Vos avis sur des prestataires"),
        lambda user: Review.objects.filter(author=user).select_related("provider"),
        ("provider", "quality", "deadlines", "communication", "text", "is_complaint", "state", "created_at"),
    ),
    Section(
        "diagnostics",
        _("Vos diagnostics"),
        lambda user: Diagnostic.objects.filter(Q(owner=user) | Q(conducted_by=user)).select_related(
            "company"
        ),
        ("company", "state", "created_at", "completed_at", "overall_score", "level", "answers"),
    ),
    Section(
        "advisor_requests",
        _("Vos demandes d'accompagnement"),
        lambda user: Request.objects.filter(Q(created_by=user) | Q(email__iexact=user.email)).select_related(
            "theme"
        ),
        ("siret", "email", "phone", "theme", "description", "postal_code", "created_at", "archived_at"),
    ),
    Section(
        "notifications",
        _("Vos notifications"),
        lambda user: Notification.objects.filter(user=user),
        ("subject", "link", "created_at", "read_at"),
    ),
    Section(
        "activity",
        _("Ce que vous avez fait sur la plateforme (journal d'audit)"),
        lambda user: AuditEvent.objects.filter(actor=user).select_related("content_type"),
        ("at", "action", "content_type", "object_id", "from_state", "to_state", "reason"),
    ),
]


def _document(stored):
    """An upload, described: whether it is there, its size and SHA-256 (its content opens from its page)."""
    if not stored:
        return None
    try:
        with stored.open("rb") as handle:
            digest = hashlib.sha256()
            size = 0
            for chunk in handle.chunks():
                digest.update(chunk)
                size += len(chunk)
    except (FileNotFoundError, ValueError):
        return {"stored": False}
    return {"stored": True, "size": size, "sha256": digest.hexdigest()}


# Codes kept without choices on their field, said in words.
CHOICES = {"spend_category": SpendCategory, "category": SpendCategory, "payee_outcome": Outcome}


def _value(obj, name):
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    value = getattr(obj, name)
    if name in CHOICES and value:
        return str(CHOICES[name](value).label)
    if isinstance(value, FieldFile):
        return _document(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    return str(value)


# Labels of the fields that carry none of their own (Django's default is the English field name).
LABELS = {
    "reference": _("référence"),
    "company": _("entreprise"),
    "application": _("dossier"),
    "scheme": _("dispositif"),
    "state": _("état"),
    "author": _("auteur"),
    "at": _("date"),
    "action": _("action"),
    "content_type": _("type d'objet"),
    "object_id": _("identifiant de l'objet"),
    "from_state": _("état avant"),
    "to_state": _("état après"),
    "reason": _("motif"),
    "created_at": _("créé le"),
    "decided_at": _("décidé le"),
    "submitted_at": _("déposé le"),
    "approved_at": _("validé le"),
    "valid_until": _("valable jusqu'au"),
    "revoked_at": _("révoqué le"),
    "read_at": _("lue le"),
    "message": _("message"),
    "file": _("fichier"),
    "prefix": _("début du jeton"),
    "last_used_at": _("dernière utilisation"),
    "name": _("nom"),
    "link": _("lien"),
    "payee_outcome": _("réponse de la banque sur le titulaire"),
    "archived_at": _("archivée le"),
    "provider": _("prestataire"),
}


def _label(model, name):
    if name in LABELS:
        return str(LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # not a field
        return name.replace("_", " ")


def personal_data(user) -> dict:
    """Everything the platform holds that is this person's, by section (see the module's docstring)."""
    data = {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.localtime().isoformat(),
        "person": user.email,
    }
    for section in SECTIONS:
        data[section.key] = [
            {name: _value(row, name) for name in section.fields} for row in section.rows(user)
        ]
    return data


def readable_sections(user):
    """The same, for the PDF: (title, [(label, value), …] per row) per non-empty section."""
    for section in SECTIONS:
        rows = list(section.rows(user))
        if not rows:
            continue
        model = rows[0]._meta.model
        yield (
            section.title,
            [[(_label(model, name), _readable(row, name)) for name in section.fields] for row in rows],
        )


def _readable(row, name):
    raw = getattr(row, name)
    if isinstance(raw, datetime):
        return date_format(timezone.localtime(raw), "DATETIME_FORMAT")
    if isinstance(raw, date):
        return date_format(raw, "DATE_FORMAT")
    value = _value(row, name)
    if name.endswith("_cents") and isinstance(value, int):
        return euros(value)
    if value is None or value == "":
        return "–"
    if value is True:
        return gettext("Oui")
    if value is False:
        return gettext("Non")
    if isinstance(value, dict) and "stored" in value:
        if not value["stored"]:
            return gettext("Fichier déposé, introuvable aujourd'hui")
        return gettext("Fichier déposé (%(size)s octets, SHA-256 %(sha256)s)") % value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
