"""Establishing who may act for a company: the registry's match, a mandate, or an advisor's check of
documents. Every change: permission, precondition, one transaction, one audit event.

The voucher file asks `standing()` before anything is reserved; the advisor's confirmation of
documents is taken from the file (`vouchers.services.confirm_authority`), which checks that the
advisor covers the company and calls `confirm()` here in its transaction.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tremplin.accounts.models import Role
from tremplin.authority.matching import same_person
from tremplin.authority.models import Capacity, Mandate, Representation
from tremplin.authority.sources import representatives_of
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.language import programme_language
from tremplin.core.notifications import notify, notify_address
from tremplin.core.validators import clean_pdf

# A register extract is accepted when it is less than 3 months old.
EXTRACT_MAX_AGE_DAYS = 92

# What the advisor checks on the documents before confirming (all of them).
CHECKLIST = [
    ("extract_recent", _("L'extrait du registre (Kbis ou extrait RNE) date de moins de 3 mois et concerne cette entreprise.")),
    ("person_listed", _("Le demandeur figure sur l'extrait comme représentant légal, ou l'attestation est signée par un représentant légal qui y figure.")),
    ("statement_signed", _("L'attestation est signée, datée et désigne cette entreprise.")),
    ("identity", _("Le nom et la date de naissance déclarés correspondent aux pièces.")),
]  # fmt: skip

PROVIDER_REFUSAL = gettext_noop(
    "Un prestataire ne peut pas demander un chèque pour une entreprise cliente : c'est l'entreprise qui "
    "dépose sa demande, elle-même ou par une personne qu'elle mandate."
)


def representation_of(user, company, *, lean=False):
    """`lean`: without the mandate's grantor and the deciding advisor (read later only if needed)."""
    if not getattr(user, "pk", None):
        return None
    rep = representation_for(user.pk, company.pk, lean=lean)
    if rep is not None:
        rep.company = company  # the caller's company, already loaded: no query to read it again
    return rep


def representation_for(user_id, company_id, *, lean=False):
    """The representation of a person for a company by their ids (no need to load either)."""
    reps = (
        Representation.objects
        if lean
        else Representation.objects.select_related("mandate__grantor", "decided_by")
    )
    # One per person and company (a unique constraint): `get` adds no ORDER BY to compile.
    try:
        return reps.get(user_id=user_id, company_id=company_id)
    except Representation.DoesNotExist:
        return None


def _active_mandate(company, email, on):
    mandate = (
        Mandate.objects.filter(company=company, holder_email__iexact=email, revoked_at__isnull=True)
        .select_related("grantor")
        .first()
    )
    return mandate if mandate and mandate.is_active(on) else None


def _establish(rep, on):
    """Set status and basis from the registry or a mandate; an advisor's decision stands until re-declared."""
    if rep.basis == Representation.Basis.ADVISOR and rep.status in (
        Representation.Status.VERIFIED,
        Representation.Status.REFUSED,
    ):
        return
    rep.mandate = None
    rep.matched_role = rep.matched_source = ""
    if rep.capacity == Capacity.REPRESENTATIVE:
        match = next(
            (
                r
                for r in representatives_of(rep.company)
                if same_person(rep.given_names, rep.family_name, rep.birth_date, r)
            ),
            None,
        )
        if match:
            rep.status, rep.basis = Representation.Status.VERIFIED, Representation.Basis.REGISTRY
            rep.matched_role, rep.matched_source = match.role, match.source
            rep.checked_at = timezone.now()
            return
    else:
        mandate = _active_mandate(rep.company, rep.user.email, on)
        if mandate:
            rep.status, rep.basis, rep.mandate = (
                Representation.Status.VERIFIED,
                Representation.Basis.MANDATE,
                mandate,
            )
            return
        if rep.status == Representation.Status.REVOKED:
            return
    rep.status, rep.basis = Representation.Status.PENDING, Representation.Basis.NONE


def _clean_identity(given_names, family_name, birth_date, today):
    given_names, family_name = (given_names or "").strip(), (family_name or "").strip()
    if not given_names:
        raise ServiceError(
            "missing", "Indiquez vos prénoms, comme sur votre pièce d'identité.", "given_names"
        )
    if not family_name:
        raise ServiceError(
            "missing", "Indiquez votre nom de famille, comme sur votre pièce d'identité.", "family_name"
        )
    if birth_date is None:
        raise ServiceError("missing", "Indiquez votre date de naissance.", "birth_date")
    if not (today.replace(year=today.year - 110) <= birth_date <= today - timedelta(days=16 * 365)):
        raise ServiceError(
            "invalid_birth_date", "Cette date de naissance n'est pas plausible : vérifiez-la.", "birth_date"
        )
    return given_names, family_name


@programme_language
def declare(user, company, *, capacity, given_names, family_name, birth_date):
    """Say who one is and in what capacity one acts for `company`; the registry or a mandate is checked."""
    if user.role == Role.PROVIDER or user.provider_id:
        raise PermissionDenied("provider_for_client", PROVIDER_REFUSAL)
    if user.role != Role.OWNER:
        raise PermissionDenied(
            "forbidden", "Seul le chef d'entreprise, ou la personne qu'il mandate, agit pour l'entreprise."
        )
    if capacity not in Capacity.values:
        raise ServiceError(
            "invalid_capacity", "Indiquez à quel titre vous agissez pour l'entreprise.", "capacity"
        )
    today = timezone.localdate()
    given_names, family_name = _clean_identity(given_names, family_name, birth_date, today)
    with transaction.atomic():
        rep = Representation.objects.select_for_update().filter(user=user, company=company).first()
        before = rep.status if rep else ""
        identity = (capacity, given_names, family_name, birth_date)
        if rep is None:
            rep = Representation(user=user, company=company)
        elif (rep.capacity, rep.given_names, rep.family_name, rep.birth_date) != identity:
            # A new declaration is checked afresh: an advisor's earlier decision was about the old one.
            rep.basis, rep.decided_by, rep.decided_at, rep.checklist = (
                Representation.Basis.NONE,
                None,
                None,
                [],
            )
            if rep.status != Representation.Status.REVOKED:
                rep.status = Representation.Status.PENDING
        rep.capacity, rep.given_names, rep.family_name, rep.birth_date = identity
        _establish(rep, today)
        rep.save()
        audit.record(
            rep, actor=user, action="declare", from_state=before, to_state=rep.status, basis=rep.basis,
            capacity=capacity,
        )  # fmt: skip
    return rep


def standing(user, company, on=None):
    """The person's representation for the company, checked again now (None when never declared).

    Called before any reservation: a registry match is re-read from the source, a mandate must still
    be active; an advisor's decision stands.
    """
    return recheck(representation_of(user, company), on)


def recheck(rep, on=None):
    """`standing()` of a representation already read (None stays None)."""
    if rep is None:
        return None
    before = (rep.status, rep.basis, rep.mandate_id, rep.matched_role)
    _establish(rep, on or timezone.localdate())
    if (rep.status, rep.basis, rep.mandate_id, rep.matched_role) != before:
        with transaction.atomic():
            rep.save()
            audit.record(
                rep, actor=None, action="recheck", from_state=before[0], to_state=rep.status, basis=rep.basis
            )
    return rep


def may_act(user, company) -> bool:
    rep = representation_of(user, company)
    if rep is None or not rep.is_verified:
        return False
    if rep.basis == Representation.Basis.MANDATE:
        return rep.mandate is not None and rep.mandate.is_active(timezone.localdate())
    return True


@programme_language
def add_documents(user, rep, *, register_extract=None, extract_issued_on=None, statement=None):
    """The fallback: an extract of the register under 3 months and a signed statement, for an advisor."""
    if rep.user_id != user.pk:
        raise PermissionDenied("forbidden", "Vous ne pouvez déposer des pièces que pour vous-même.")
    if rep.is_verified:
        raise Conflict(
            "already_verified", "Votre qualité pour agir est déjà vérifiée : aucune pièce n'est nécessaire."
        )
    today = timezone.localdate()
    if register_extract:
        clean_pdf(register_extract, "register_extract")
        if extract_issued_on is None:
            raise ServiceError(
                "missing",
                "Indiquez la date de l'extrait (elle figure en haut du document).",
                "extract_issued_on",
            )
    if extract_issued_on is not None:
        if extract_issued_on > today:
            raise ServiceError(
                "invalid_date", "La date de l'extrait ne peut pas être dans le futur.", "extract_issued_on"
            )
        if (today - extract_issued_on).days > EXTRACT_MAX_AGE_DAYS:
            raise ServiceError(
                "extract_too_old",
                "Cet extrait a plus de 3 mois : téléchargez-en un récent (gratuit sur le site du registre "
                "national des entreprises, data.inpi.fr, ou sur infogreffe.fr).",
                "extract_issued_on",
            )
    if statement:
        clean_pdf(statement, "statement")
    with transaction.atomic():
        rep = Representation.objects.select_for_update().get(pk=rep.pk)
        if register_extract:
            rep.register_extract = register_extract
        if extract_issued_on is not None:
            rep.extract_issued_on = extract_issued_on
        if statement:
            rep.statement = statement
        rep.save()
        audit.record(
            rep,
            actor=user,
            action="documents_added",
            extract=bool(register_extract),
            statement=bool(statement),
        )
    return rep


def confirm(advisor, rep, checked):
    """An advisor confirms the documents (every point of the checklist ticked). Call inside the file's transition."""
    missing = [str(label) for key, label in CHECKLIST if key not in checked]
    if missing:
        raise ServiceError(
            "checklist_incomplete",
            "Vérifiez chaque point avant de confirmer : " + " ".join(missing),
            "checklist",
        )
    rep = Representation.objects.select_for_update().get(pk=rep.pk)
    if rep.is_verified:
        return rep
    if not rep.has_documents:
        raise Conflict("documents_missing", "Le demandeur n'a pas encore déposé l'extrait et l'attestation.")
    if rep.extract_issued_on and (timezone.localdate() - rep.extract_issued_on).days > EXTRACT_MAX_AGE_DAYS:
        raise Conflict(
            "extract_too_old", "L'extrait déposé a maintenant plus de 3 mois : demandez-en un récent."
        )
    before = rep.status
    rep.status, rep.basis = Representation.Status.VERIFIED, Representation.Basis.ADVISOR
    rep.decided_by, rep.decided_at, rep.checklist = (
        advisor,
        timezone.now(),
        [key for key, _label in CHECKLIST],
    )
    rep.save()
    audit.record(
        rep, actor=advisor, action="confirm", from_state=before, to_state=rep.status, checklist=rep.checklist
    )
    return rep


def refuse(advisor, rep, note):
    """An advisor finds the documents do not show the right to act. Call inside the file's transition."""
    rep = Representation.objects.select_for_update().get(pk=rep.pk)
    before = rep.status
    rep.status, rep.basis = Representation.Status.REFUSED, Representation.Basis.ADVISOR
    rep.decided_by, rep.decided_at, rep.decision_note = advisor, timezone.now(), note
    rep.save()
    audit.record(rep, actor=advisor, action="refuse", from_state=before, to_state=rep.status, reason=note)
    return rep


# --- mandates -------------------------------------------------------------------------------------


def _grantor_standing(user, company):
    rep = representation_of(user, company)
    if not (rep and rep.is_verified and rep.capacity == Capacity.REPRESENTATIVE):
        raise PermissionDenied(
            "not_a_representative",
            "Seul un représentant légal de l'entreprise, dont la qualité est vérifiée, peut donner ou retirer un mandat.",
        )
    return rep


@programme_language
def give_mandate(grantor, company, *, holder_email, holder_name, kind, valid_until=None):
    """A legal representative lets someone act for the company (an accountant, an advisor, a relative)."""
    _grantor_standing(grantor, company)
    holder_email = (holder_email or "").strip().lower()
    holder_name = (holder_name or "").strip()
    if not holder_email:
        raise ServiceError(
            "missing", "Indiquez l'adresse électronique de la personne mandatée.", "holder_email"
        )
    try:
        validate_email(holder_email)
    except ValidationError:
        raise ServiceError(
            "invalid_email",
            "Indiquez une adresse électronique valide, par exemple nom@cabinet.fr.",
            "holder_email",
        ) from None
    if not holder_name:
        raise ServiceError("missing", "Indiquez le nom de la personne mandatée.", "holder_name")
    if kind not in Mandate.Kind.values:
        raise ServiceError("invalid_kind", "Indiquez le lien de cette personne avec l'entreprise.", "kind")
    if holder_email == grantor.email.lower():
        raise ServiceError(
            "self_mandate",
            "Vous agissez déjà vous-même pour l'entreprise : indiquez l'adresse d'une autre personne.",
            "holder_email",
        )
    today = timezone.localdate()
    if valid_until is not None and valid_until < today:
        raise ServiceError("invalid_date", "La date de fin du mandat est déjà passée.", "valid_until")
    holder = get_user_model().objects.filter(email__iexact=holder_email).first()
    if holder and (holder.role == Role.PROVIDER or holder.provider_id):
        raise ServiceError(
            "provider_for_client",
            "Ce compte est celui d'un prestataire : " + PROVIDER_REFUSAL,
            "holder_email",
        )
    if holder and holder.role != Role.OWNER:
        raise ServiceError(
            "staff_account",
            "Ce compte est celui d'un conseiller, d'un gestionnaire ou d'un auditeur du programme, qui instruisent ou "
            "contrôlent les dossiers : il ne peut pas recevoir de mandat.",
            "holder_email",
        )
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                company=company, grantor=grantor, holder_email=holder_email, holder_name=holder_name,
                kind=kind, valid_until=valid_until,
            )  # fmt: skip
            audit.record(
                mandate,
                actor=grantor,
                action="give_mandate",
                to_state="active",
                holder=holder_email,
                kind=kind,
            )
            if holder:
                pending = representation_of(holder, company)
                if pending and pending.capacity == Capacity.MANDATE_HOLDER and not pending.is_verified:
                    _establish(pending, today)
                    pending.save()
                    audit.record(
                        pending,
                        actor=grantor,
                        action="mandate_given",
                        to_state=pending.status,
                        basis=pending.basis,
                    )
            subject = f"{company.display_name} vous donne un mandat sur Tremplin Numérique"
            notify_address(holder_email, subject, "authority/emails/mandate_given.txt", mandate=mandate)
    except IntegrityError:
        raise Conflict(
            "already_mandated", "Cette personne a déjà un mandat en cours pour l'entreprise."
        ) from None
    return mandate


@programme_language
def revoke_mandate(user, mandate):
    """The grantor, or another legal representative, ends a mandate: its holder can no longer act."""
    _grantor_standing(user, mandate.company)
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().select_related("company").get(pk=mandate.pk)
        if mandate.revoked_at:
            raise Conflict("already_revoked", "Ce mandat est déjà révoqué.")
        mandate.revoked_at, mandate.revoked_by = timezone.now(), user
        mandate.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(mandate, actor=user, action="revoke_mandate", from_state="active", to_state="revoked")
        for rep in Representation.objects.select_for_update().filter(mandate=mandate):
            rep.status = Representation.Status.REVOKED
            rep.save(update_fields=["status", "updated_at"])
            audit.record(
                rep, actor=user, action="mandate_revoked", from_state="verified", to_state=rep.status
            )
        holder = get_user_model().objects.filter(email__iexact=mandate.holder_email).first()
        subject = "Votre mandat pour {company} est révoqué"
        params = {"company": mandate.company.display_name}
        if holder:
            notify(
                holder,
                subject,
                "authority/emails/mandate_revoked.txt",
                legal=True,
                subject_params=params,
                mandate=mandate,
            )
        else:
            notify_address(
                mandate.holder_email,
                subject.format(**params),
                "authority/emails/mandate_revoked.txt",
                mandate=mandate,
            )
    return mandate


def companies_represented(user):
    """The companies this person acts for as a verified legal representative (they may give mandates)."""
    return (
        Representation.objects.filter(
            user_id=user.pk, status=Representation.Status.VERIFIED, capacity=Capacity.REPRESENTATIVE
        )
        .select_related("company")
        .order_by("company__denomination", "company__siren")
    )


def mandates_of(company):
    return (
        Mandate.objects.filter(company=company)
        .select_related("grantor", "revoked_by")
        .order_by("-created_at")
    )


def mandates_held(user):
    return (
        Mandate.objects.filter(holder_email__iexact=user.email, revoked_at__isnull=True)
        .select_related("company", "grantor")
        .order_by("-created_at")
    )


def extract_deadline(today: date | None = None) -> date:
    """The oldest date an extract may bear today."""
    return (today or timezone.localdate()) - timedelta(days=EXTRACT_MAX_AGE_DAYS)
