"""Every state change of a voucher file: permission, precondition, transaction, audit, notification.

Views and the API call these functions and nothing else to change a file.
"""

import hashlib
import os
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tremplin.accounts.models import Role
from tremplin.authority import payee
from tremplin.authority import services as authority
from tremplin.authority.models import Representation
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError, as_conflict
from tremplin.core.formatting import euros
from tremplin.core.language import programme_language
from tremplin.core.models import AuditEvent
from tremplin.core.notifications import notify
from tremplin.core.validators import clean_attachments, clean_iban, clean_pdf, clean_siren
from tremplin.core.workflow import SYSTEM
from tremplin.registry import lookup
from tremplin.schemes import budget, prerequisites
from tremplin.schemes.eligibility import Facts, evaluate
from tremplin.schemes.models import Envelope, Scheme
from tremplin.vouchers import assignment, deminimis
from tremplin.vouchers.access import advisor_covers, advisors_of
from tremplin.vouchers.models import (
    COUNTED_VOUCHERS,
    GRANTED,
    OPEN_STATES,
    Application,
    Claim,
    LinkedCompany,
    Message,
    MessageAttachment,
    RejectionReason,
    State,
    states_tagged,
)
from tremplin.vouchers.workflow import WORKFLOW, remember_standing

# Mail services whose addresses say nothing of who employs a person.
WEBMAIL_DOMAINS = {
    "gmail.com", "yahoo.fr", "yahoo.com", "hotmail.fr", "hotmail.com", "outlook.fr", "outlook.com",
    "live.fr", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "icloud.com", "proton.me",
    "protonmail.com", "bbox.fr", "neuf.fr", "aol.com", "gmx.fr",
}  # fmt: skip


def allowed_actions(user, application):
    """Actions this user may take on this file now (to show only the right buttons)."""
    return [t.name for t in WORKFLOW.allowed(user, application)]


# --- drafts ---------------------------------------------------------------------------------------

DRAFT_FIELDS = {
    "declared_headcount",
    "declared_turnover_cents",
    "declared_de_minimis_cents",
    "has_linked_companies",
    "iban",
    "account_holder",
    "provider",
    "spend_category",
    "project_description",
    "planned_spend_cents",
    "quote",
    "bank_document",
    "establishment",
}


@programme_language
def create_draft(owner, scheme, company, establishment=None):
    """Start a draft, or give back the one this person already has for this company and scheme.

    Returns (application, created)."""
    if owner.role == Role.PROVIDER:
        raise PermissionDenied("provider_for_client", authority.PROVIDER_REFUSAL)
    if owner.role != Role.OWNER:
        raise PermissionDenied(
            "forbidden", "Seul le chef d'entreprise peut déposer une demande pour son entreprise."
        )
    if not scheme.takes_drafts():
        raise Conflict("scheme_closed", "Les demandes pour ce dispositif ne sont pas ouvertes en ce moment.")
    lookup.ensure_active(company, "siren")
    if Application.objects.filter(company=company, state__in=OPEN_STATES).exists():
        raise Conflict(
            "already_open",
            "Une demande est déjà en cours pour cette entreprise : une seule à la fois est possible.",
        )
    limit = next((r for r in scheme.current_rules() if r.kind == "max_vouchers_per_company"), None)
    if limit is not None:
        facts = Facts(
            company=company, on=timezone.localdate(), vouchers_granted=_vouchers_granted(scheme, company)
        )
        (result,) = evaluate([limit], facts)
        if not result.passed:
            raise Conflict("voucher_limit", result.message)
    existing = _open_draft(owner, scheme, company)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            application = Application.objects.create(
                scheme=scheme, owner=owner, company=company, establishment=establishment
            )
            audit.record(application, actor=owner, action="create", to_state=State.DRAFT)
    except IntegrityError:
        # A second click at the same instant: the database kept the other request's draft.
        existing = _open_draft(owner, scheme, company)
        if existing is None:
            raise
        return existing, False
    return application, True


def _open_draft(owner, scheme, company):
    """This person's draft for this company and scheme (one_draft_per_owner_company_scheme), or None."""
    return Application.objects.filter(owner=owner, scheme=scheme, company=company, state=State.DRAFT).first()


# Functions `(owner, application)` run in the deletion's transaction, before the draft goes: apps above
# vouchers that hang records on a draft (providers: its quote requests) register here from their
# AppConfig.ready() and close them (audited, people told) rather than let them vanish in the cascade.
_draft_deletion_hooks = []


def before_draft_deleted(fn):
    """Register `fn(owner, application)`, run by delete_draft under the draft's lock."""
    if fn not in _draft_deletion_hooks:
        _draft_deletion_hooks.append(fn)
    return fn


# Functions `(owner, application)` run in update_draft's transaction after a new quote PDF or another
# provider was saved on the draft: providers registers here the setting aside of the quote chosen
# before through the platform, when it is no longer the draft's (its provider is told).
_quote_replaced_hooks = []


def when_quote_replaced(fn):
    """Register `fn(owner, application)`, run by update_draft under the draft's lock."""
    if fn not in _quote_replaced_hooks:
        _quote_replaced_hooks.append(fn)
    return fn


# Functions `(application) -> list of findings` (each with `code`, `sentence` and `others`, the
# other files involved): apps above vouchers that check files for staff (fraud flags) register here
# from their AppConfig.ready(); the file page shows what they find to advisors, managers and auditors.
_file_signal_sources = []


def add_file_signals(fn):
    """Register `fn(application)`, asked by the staff's file page."""
    if fn not in _file_signal_sources:
        _file_signal_sources.append(fn)
    return fn


def file_signals(application):
    """What the registered sources find on this file, for staff only; never a change of state."""
    return [finding for source in _file_signal_sources for finding in source(application)]


def file_sha256(upload):
    """SHA-256 of an uploaded file's bytes, read from the start, left at the start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@programme_language
def delete_draft(owner, application):
    """The owner deletes a draft; the audit trail keeps that it existed, what hangs on it is closed first."""
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        if application.owner_id != owner.pk:
            raise PermissionDenied(
                "forbidden", "Seule la personne qui a commencé ce brouillon peut le supprimer."
            )
        if application.state != State.DRAFT:
            raise Conflict(
                "not_a_draft",
                "Cette demande est déposée : elle ne peut plus être supprimée, seulement retirée.",
            )
        audit.record(
            application,
            actor=owner,
            action="delete",
            from_state=State.DRAFT,
            reference=application.reference,
            siren=application.company.siren,
            scheme=application.scheme.slug,
        )
        for hook in _draft_deletion_hooks:
            hook(owner, application)
        files = [f for f in (application.quote, application.bank_document) if f]
        application.delete()
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


@programme_language
def update_draft(owner, application, **fields):
    """Save what the owner typed so far. Values are checked as they come; nothing is lost on error."""
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ServiceError("unknown_field", f"Champ inconnu : {', '.join(sorted(unknown))}.")
    if application.owner_id != owner.pk:
        raise PermissionDenied("forbidden", "Vous n'avez pas le droit de modifier ce dossier.")
    if application.state != State.DRAFT:
        raise Conflict("not_a_draft", "Ce dossier a déjà été déposé : il ne peut plus être modifié.")
    if fields.get("iban"):
        fields["iban"] = clean_iban(fields["iban"])
    for name in ("declared_headcount", "declared_turnover_cents", "declared_de_minimis_cents"):
        if fields.get(name) is not None and fields[name] < 0:
            raise ServiceError("negative_value", "Cette valeur ne peut pas être négative.", name)
    if fields.get("planned_spend_cents") is not None:
        if fields["planned_spend_cents"] <= 0:
            raise ServiceError(
                "invalid_amount",
                "Le montant de la dépense doit être supérieur à zéro.",
                "planned_spend_cents",
            )
    category = fields.get("spend_category")
    if category and category not in application.scheme.spend_categories:
        raise ServiceError(
            "category_not_eligible",
            "Cette catégorie de dépense n'est pas couverte par le dispositif.",
            "spend_category",
        )
    provider = fields.get("provider")
    if provider is not None and not provider.accredited:
        raise ServiceError(
            "provider_not_accredited",
            f"Le prestataire « {provider.name} » n'est pas habilité : choisissez un prestataire habilité.",
            "provider",
        )
    if fields.get("quote"):
        clean_pdf(fields["quote"], "quote")
    if fields.get("bank_document"):
        clean_pdf(fields["bank_document"], "bank_document")
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        # Checked again on the locked row: a submission may have happened since.
        if application.state != State.DRAFT:
            raise Conflict("not_a_draft", "Ce dossier a déjà été déposé : il ne peut plus être modifié.")
        if fields.get("has_linked_companies") is False and application.linked_companies.exists():
            raise ServiceError(
                "linked_companies_declared",
                gettext_noop(
                    "Vous avez déclaré des entreprises liées : retirez-les d'abord si votre entreprise n'est liée "
                    "à aucune autre."
                ),
                "has_linked_companies",
            )
        iban_changed = "iban" in fields and fields["iban"] != application.iban
        quote_replaced = bool(fields.get("quote")) or (
            "provider" in fields and getattr(fields["provider"], "pk", None) != application.provider_id
        )
        if any(
            bool(value) if name in ("quote", "bank_document") else getattr(application, name) != value
            for name, value in fields.items()
        ):
            # The file changed: the check made before opening day no longer holds.
            application.checked_at = None
        for name, value in fields.items():
            setattr(application, name, value)
        if iban_changed:
            _check_payee(application)
        application.amount_cents = (
            application.scheme.voucher_amount_cents(application.planned_spend_cents)
            if application.planned_spend_cents
            else None
        )
        application.save()
        if quote_replaced:
            for hook in _quote_replaced_hooks:
                hook(owner, application)
    return application


# At most this many companies linked to one file: beyond, the owner writes to their advisor.
MAX_LINKED_COMPANIES = 20
MAX_DECLARED_AID_CENTS = 100_000_000_000


@programme_language
def declare_linked_companies(owner, application, companies):
    """The owner's list of the companies linked to theirs (one single undertaking, Regulation (EU)
    2023/2831 art. 2(2)) and the de minimis aid each received over the last 3 years: it replaces the
    draft's list. `companies`: dicts with `siren` (as typed), `de_minimis_cents` and, for a SIREN the
    registry does not hold, an optional `name`. Each SIREN is checked (key included) and looked up in the
    registry, whose name then prevails. A non-empty list answers "yes, linked companies"."""
    if application.owner_id != owner.pk:
        raise PermissionDenied("forbidden", "Vous n'avez pas le droit de modifier ce dossier.")
    if len(companies) > MAX_LINKED_COMPANIES:
        raise ServiceError(
            "too_many_linked_companies",
            gettext_noop(
                "Vous pouvez déclarer au plus %(max)s entreprises liées : au-delà, écrivez à votre conseiller."
            ),
            "linked_companies",
            max=MAX_LINKED_COMPANIES,
        )
    own = application.company.siren
    rows, seen = [], set()
    for item in companies:
        siren = clean_siren(item.get("siren") or "", "linked_siren")
        if siren == own:
            raise ServiceError(
                "linked_is_own_company",
                gettext_noop(
                    "C'est le SIREN de votre propre entreprise : ses aides se déclarent plus haut, dans « Aides "
                    "de minimis reçues »."
                ),
                "linked_siren",
            )
        if siren in seen:
            raise ServiceError(
                "linked_duplicate", gettext_noop("Cette entreprise liée est déjà déclarée."), "linked_siren"
            )
        seen.add(siren)
        cents = item.get("de_minimis_cents")
        if cents is None or cents < 0 or cents > MAX_DECLARED_AID_CENTS:
            raise ServiceError(
                "invalid_amount",
                gettext_noop(
                    "Indiquez les aides de minimis reçues par cette entreprise sur 3 ans, en euros (0 si aucune)."
                ),
                "linked_de_minimis",
            )
        company = lookup.find_company(siren)
        name = registry_name(company) if company else (item.get("name") or "").strip()[:255]
        rows.append(LinkedCompany(siren=siren, company=company, name=name, de_minimis_cents=cents))
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        if application.state != State.DRAFT:
            raise Conflict("not_a_draft", "Ce dossier a déjà été déposé : il ne peut plus être modifié.")
        before = list(application.linked_companies.values_list("siren", flat=True))
        application.linked_companies.all().delete()
        for row in rows:
            row.application = application
        LinkedCompany.objects.bulk_create(rows)
        if rows and application.has_linked_companies is not True:
            application.has_linked_companies = True
        # Another single undertaking: the check before opening day no longer holds.
        application.checked_at = None
        application.save(update_fields=["has_linked_companies", "checked_at", "updated_at"])
        audit.record(
            application, actor=owner, action="declare_linked_companies", count=len(rows),
            previous=before,
            linked=[{"siren": r.siren, "de_minimis_cents": r.de_minimis_cents} for r in rows],
        )  # fmt: skip
    return application


def _other_files(application, with_vouchers):
    """The company's other files the rules look at, in one query: (has another open file, the references
    of the scheme's vouchers granted to it, or None unless `with_vouchers`)."""
    wanted = Q(state__in=OPEN_STATES)
    if with_vouchers:
        wanted |= Q(scheme_id=application.scheme_id, state__in=COUNTED_VOUCHERS)
    rows = list(
        Application.objects.filter(wanted, company_id=application.company_id)
        .exclude(pk=application.pk)
        .values_list("pk", "created_at", "state", "scheme_id")
    )
    open_file = any(state in OPEN_STATES for _pk, _at, state, _scheme in rows)
    if not with_vouchers:
        return open_file, None
    granted = tuple(
        Application(pk=pk, created_at=at).reference
        for pk, at, state, scheme in rows
        if scheme == application.scheme_id and state in COUNTED_VOUCHERS
    )
    return open_file, granted


def _vouchers_granted(scheme, company, exclude=None):
    granted = Application.objects.filter(scheme=scheme, company=company, state__in=COUNTED_VOUCHERS)
    if exclude is not None:
        granted = granted.exclude(pk=exclude)
    return tuple(
        Application(pk=pk, created_at=at).reference for pk, at in granted.values_list("pk", "created_at")
    )


def registry_name(company):
    """The name the account must be held in: the registry's (never a name SIRENE hides)."""
    if company.is_partially_hidden:
        return ""
    if company.denomination:
        return company.denomination
    return " ".join(p for p in (company.first_name, company.last_name) if p)


def _check_payee(application):
    """Ask the verification of payee whether the IBAN's account is held in the company's name."""
    application.payee_confirmed_by, application.payee_confirmed_at = None, None
    application.payee_checked_iban = application.iban
    if not application.iban:
        application.payee_outcome, application.payee_holder_name, application.payee_checked_at = "", "", None
        return
    answer = payee.verify(application.iban, registry_name(application.company))
    application.payee_outcome, application.payee_holder_name = answer.outcome, answer.holder_name
    application.payee_checked_at = timezone.now()


def check_eligibility(application, on=None):
    """Evaluate the scheme's current rules for this file; shown before submitting, stored at submission."""
    return eligibility_and_de_minimis(application, on)[0]


def eligibility_and_de_minimis(application, on=None):
    """(the rules' results, the de minimis check over the single undertaking or None without the rule)."""
    on = on or timezone.localdate()
    amount = (
        application.scheme.voucher_amount_cents(application.planned_spend_cents)
        if application.planned_spend_cents
        else None
    )
    facts = Facts(
        company=application.company,
        on=on,
        declared_headcount=application.declared_headcount,
        declared_turnover_cents=application.declared_turnover_cents,
        declared_de_minimis_cents=application.declared_de_minimis_cents,
        amount_cents=amount,
    )
    rules = application.scheme.rules_in_force()
    kinds = {rule.kind for rule in rules}
    counts_vouchers = "max_vouchers_per_company" in kinds
    open_file, granted = _other_files(application, counts_vouchers)
    facts = replace(facts, has_other_open_file=open_file)
    if counts_vouchers:
        facts = replace(facts, vouchers_granted=granted)
    if kinds & {"diagnostic_completed", "support_action"}:
        facts = replace(facts, **prerequisites.facts_for(application.company))
    check = None
    if "de_minimis" in kinds:
        rule = next(r for r in rules if r.kind == "de_minimis")
        check = deminimis.check(
            application, on, amount_cents=amount or 0, ceiling_cents=deminimis.ceiling_in(rule)
        )
        facts = replace(
            facts,
            has_linked_companies=application.has_linked_companies,
            linked_de_minimis_cents=check.linked_cents,
            granted_de_minimis_cents=check.granted_cents,
            de_minimis_period=check.window,
        )
    return evaluate(rules, facts), check


def completeness_errors(application):
    """What is missing or wrong in the file itself (not eligibility), as ServiceErrors."""
    scheme = application.scheme
    errors = []
    if not application.planned_spend_cents:
        errors.append(
            ServiceError(
                "missing",
                gettext_noop("Indiquez le montant de la dépense prévue (HT)."),
                "planned_spend_cents",
            )
        )
    elif application.planned_spend_cents < scheme.min_spend_cents:
        errors.append(
            ServiceError(
                "below_minimum_spend",
                f"La dépense prévue doit être d'au moins {euros(scheme.min_spend_cents)} HT.",
                "planned_spend_cents",
            )
        )
    if not application.spend_category:
        errors.append(
            ServiceError("missing", gettext_noop("Choisissez la catégorie de dépense."), "spend_category")
        )
    if application.provider_id is None:
        errors.append(
            ServiceError(
                "missing", gettext_noop("Choisissez le prestataire qui réalisera la prestation."), "provider"
            )
        )
    elif not application.provider.accredited:
        errors.append(
            ServiceError(
                "provider_not_accredited",
                gettext_noop("Ce prestataire n'est plus habilité : choisissez-en un autre."),
                "provider",
            )
        )
    if not application.quote:
        errors.append(
            ServiceError("missing", gettext_noop("Déposez le devis du prestataire (PDF)."), "quote")
        )
    if scheme.payee == Scheme.Payee.BUSINESS:
        if not application.iban:
            errors.append(
                ServiceError("missing", gettext_noop("Indiquez l'IBAN du compte de l'entreprise."), "iban")
            )
        if not application.bank_document:
            errors.append(
                ServiceError(
                    "missing",
                    gettext_noop(
                        "Déposez le relevé d'identité bancaire (RIB) du compte de l'entreprise (PDF)."
                    ),
                    "bank_document",
                )
            )
    return errors


def authority_refusal(owner, application, rep):
    """Why this person may not submit for the company now (a ServiceError), or None.

    None with a pending representation means: submitted, held for an advisor, nothing reserved.
    """
    if rep is None:
        return ServiceError(
            "authority_missing",
            gettext_noop(
                "Indiquez d'abord à quel titre vous agissez pour l'entreprise (représentant légal ou mandataire)."
            ),
            "capacity",
        )
    if rep.status == Representation.Status.REVOKED:
        return PermissionDenied(
            "mandate_revoked",
            gettext_noop(
                "Votre mandat pour cette entreprise a été retiré : vous ne pouvez plus agir pour elle."
            ),
        )
    if rep.status == Representation.Status.REFUSED:
        return PermissionDenied(
            "authority_refused",
            gettext_noop(
                "Un conseiller a constaté que les pièces ne montrent pas votre qualité pour agir pour cette entreprise."
            ),
        )
    if not rep.is_verified and not rep.has_documents:
        return ServiceError(
            "authority_documents_missing",
            gettext_noop(
                "Nous n'avons pas trouvé votre nom parmi les représentants légaux de l'entreprise au registre : "
                "déposez un extrait du registre de moins de 3 mois et l'attestation signée. Un conseiller les "
                "vérifiera avant toute réservation."
            ),
            "register_extract",
        )
    return None


def _email_domain(email):
    return (email or "").rsplit("@", 1)[-1].lower()


def _provider_domains(provider):
    domains = {_email_domain(provider.email)} if provider.email else set()
    if provider.website:
        host = provider.website.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
        domains.add(host.removeprefix("www."))
    return domains - {""}


def provider_for_client(owner, application):
    """A provider never applies for its own client: the applicant must not be one of the chosen provider's."""
    provider = application.provider
    if provider is None:
        return False
    if owner.provider_id == provider.pk:
        return True
    domain = _email_domain(owner.email)
    return domain not in WEBMAIL_DOMAINS and domain in _provider_domains(provider)


def _envelope_for(application, on):
    region = application.company.region
    if region is None:
        return None
    try:  # one per scheme, région and year (a unique constraint)
        return Envelope.objects.get(scheme=application.scheme, region=region, year=on.year)
    except Envelope.DoesNotExist:
        return None


NO_ENVELOPE = gettext_noop(
    "Aucun budget n'est ouvert pour votre région cette année : le dépôt n'est pas possible."
)


# What a submission's checks and its answer read of the file: read with it, in one query. A claim is
# never there yet; joined all the same, so that the answer need not ask.
SUBMISSION_READ = ("company__departement__region", "scheme", "provider", "claim")


def _read_for_submission(owner, application, action, *, fresh=False):
    """The file with SUBMISSION_READ (read again unless `fresh`: the caller has just read it so), and the
    applicant's representation, read once (lean) and told to the file for the role check of `action` and
    for the answer."""
    if not fresh:
        application = Application.objects.select_related(*SUBMISSION_READ).get(pk=application.pk)
    if application.owner_id == owner.pk:
        application.owner = owner  # the notices and the answer name them: no need to read them again
    rep = authority.representation_of(owner, application.company, lean=True)
    remember_standing(application, rep)
    application.applicant_representation = rep
    WORKFLOW.guard(owner, application, action)
    return application, rep


@dataclass
class Readiness:
    """What stands between a draft and its submission, in the order `submit` refuses them."""

    problems: list  # ServiceErrors; one "not_eligible" per rule not met
    results: list  # the rules' results
    de_minimis: object  # the de minimis check, or None without the rule
    envelope: object  # the région's budget for the year, or None
    payee_checked: bool  # the bank was asked about the account (its answer is on the file, unsaved)


def readiness(owner, application, rep, on):
    """Every check of a submission that only reads (and asks the bank about a new account), on day `on`.

    `submit` refuses with the first problem; "Vérifier mon dossier" lists them all.
    """
    scheme = application.scheme
    problems = []
    refusal = authority_refusal(owner, application, rep)
    if refusal:
        problems.append(as_conflict(refusal))
    if provider_for_client(owner, application):
        problems.append(PermissionDenied("provider_for_client", authority.PROVIDER_REFUSAL))
    problems += [as_conflict(error) for error in completeness_errors(application)]
    payee_checked = bool(
        scheme.payee == Scheme.Payee.BUSINESS
        and application.iban
        and (application.payee_checked_at is None or application.payee_checked_iban != application.iban)
    )
    if payee_checked:
        _check_payee(application)
    results, de_minimis = eligibility_and_de_minimis(application, on)
    problems += [Conflict("not_eligible", r.message) for r in results if r.passed is not True]
    envelope = _envelope_for(application, on)
    if envelope is None:
        problems.append(Conflict("no_envelope", NO_ENVELOPE))
    return Readiness(problems, results, de_minimis, envelope, payee_checked)


def _refusal(ready):
    """The error `submit` raises for the first problem (the rules not met said together)."""
    first = ready.problems[0]
    if first.code != "not_eligible":
        return first
    failed = [p.message for p in ready.problems if p.code == "not_eligible"]
    message = "Votre demande ne remplit pas toutes les conditions : " + " ".join(failed)
    if ready.de_minimis is not None and ready.de_minimis.passed is False:
        return DeMinimisCeiling(message, ready.de_minimis)
    return Conflict("not_eligible", message)


@programme_language
def submit(owner, application, *, fresh=False):
    """Submit a draft. First-come-first-served: reserve at once, or waitlist with a receipt number.

    Checks that only read run before the write transaction, so the envelope is
    held for a few statements only; the state is checked again under the lock.
    `fresh`: the caller has just read the file with SUBMISSION_READ (the API).
    """
    now = timezone.now()
    today = timezone.localdate(now)
    # Who applies: their representation read once, for the role check and then checked again before
    # anything is reserved (and before the envelope's lock).
    application, rep = _read_for_submission(owner, application, "submit", fresh=fresh)
    scheme = application.scheme
    if not scheme.is_open(now):
        raise closed_refusal(scheme, now)
    rep = authority.recheck(rep, today)
    remember_standing(application, rep)
    application.applicant_representation = rep
    ready = readiness(owner, application, rep, today)
    if ready.problems:
        raise _refusal(ready)
    held = not rep.is_verified
    results, de_minimis, envelope = ready.results, ready.de_minimis, ready.envelope
    amount = scheme.voucher_amount_cents(application.planned_spend_cents)

    def reserve(application):
        application.eligibility = [r.as_dict() for r in results]
        application.de_minimis_check = {"submission": de_minimis.as_dict()} if de_minimis else {}
        application.rules_version = scheme.rules_version
        application.amount_cents = amount
        application.envelope = envelope
        application.submitted_at = now
        if scheme.allocation == Scheme.Allocation.FCFS:
            application.queue_rank = budget.take_receipt_number(envelope.pk)
            if held:
                # The receipt keeps its place; the amount is reserved once an advisor confirms.
                return State.AUTHORITY_CHECK
            if not budget.try_reserve(envelope.pk, application, amount):
                return State.WAITLISTED
            application.reserved_cents = amount
        return State.AUTHORITY_CHECK if held else State.SUBMITTED

    try:
        with transaction.atomic():
            # Only the state can have changed since the read above: re-check it under the lock.
            application.state = (
                Application.objects.select_for_update()
                .filter(pk=application.pk)
                .values_list("state", flat=True)
                .get()
            )
            WORKFLOW.perform(
                owner,
                application,
                "submit",
                locked=True,
                apply=reserve,
                amount_cents=amount,
                authority=rep.basis or rep.status,
            )
    except IntegrityError:
        raise Conflict(
            "already_open",
            "Une autre demande est déjà en cours pour cette entreprise : une seule à la fois est possible.",
        ) from None
    return application


def closed_refusal(scheme, now):
    """Why a file of `scheme` cannot be submitted at `now`: not open yet (and when it opens), or closed."""
    if now < scheme.window_opens_at:
        opens = timezone.localtime(scheme.window_opens_at)
        return Conflict(
            "scheme_closed",
            gettext_noop("Le dépôt n'est pas encore ouvert : il ouvre le %(day)s à %(time)s."),
            day=date_format(opens, "j F Y"),
            time=date_format(opens, "H:i"),
        )
    return Conflict("scheme_closed", gettext_noop("La période de dépôt de ce dispositif est close."))


@programme_language
def check_draft(owner, application):
    """ "Vérifier mon dossier": every check `submit` runs (who applies, completeness, the account, the rules,
    the budget's existence), nothing reserved, no receipt number taken. Usable during the pre-registration
    window, so that opening day is only the click on "Déposer"; `submit` checks everything again.

    Returns the problems found (ServiceErrors, empty when the file is ready) and stores the moment the file
    was found ready in `checked_at` (cleared otherwise).
    """
    now = timezone.now()
    application, rep = _read_for_submission(owner, application, "submit")
    scheme = application.scheme
    if not scheme.takes_drafts(now):
        raise closed_refusal(scheme, now)
    # Checked as on the day it can be submitted: the first day of submissions when that is still to come.
    on = max(timezone.localdate(now), timezone.localdate(scheme.window_opens_at))
    rep = authority.recheck(rep, timezone.localdate(now))
    ready = readiness(owner, application, rep, on)
    payee_fields = (
        ["payee_outcome", "payee_checked_iban", "payee_holder_name", "payee_checked_at",
         "payee_confirmed_by", "payee_confirmed_at"]
        if ready.payee_checked
        else []
    )  # fmt: skip
    with transaction.atomic():
        locked = WORKFLOW.lock(application)
        WORKFLOW.guard(owner, locked, "submit")  # the state, again under the lock
        application.checked_at = None if ready.problems else now
        application.save(update_fields=["checked_at", *payee_fields])
        if not ready.problems:
            audit.record(application, actor=owner, action="check_draft")
    return application, ready.problems


def _promote_waitlisted(envelope_id):
    """Fund waiting files in their order while the budget allows (strict order: no overtaking)."""
    while True:
        nxt = (
            Application.objects.select_for_update()
            .filter(envelope_id=envelope_id, state=State.WAITLISTED)
            .order_by("queue_rank", "id")
            .first()
        )
        if nxt is None or not budget.try_reserve(envelope_id, nxt, nxt.amount_cents):
            return
        nxt.reserved_cents = nxt.amount_cents
        WORKFLOW.perform(
            SYSTEM, nxt, "promote", locked=True, reason="Budget libéré : le dossier est financé."
        )


def _release_all(application):
    if application.reserved_cents:
        budget.release(application, application.reserved_cents)
        application.reserved_cents = 0
        application.save(update_fields=["reserved_cents", "updated_at"])
        _promote_waitlisted(application.envelope_id)


# --- review ---------------------------------------------------------------------------------------


@programme_language
def start_review(advisor, application):
    def take(application):
        if application.scheme.allocation == Scheme.Allocation.LOTTERY and not application.is_funded:
            raise Conflict(
                "not_drawn", "Ce dossier attend le tirage au sort : il ne peut pas encore être instruit."
            )
        application.assigned_advisor = advisor

    return WORKFLOW.perform(advisor, application, "start_review", apply=take)


# --- the message thread ---------------------------------------------------------------------------

# The exchange a file's state opens: the advisor asks while reviewing, the owner answers what was asked.
MESSAGE_ACTIONS = {
    State.UNDER_REVIEW: "request_info",
    State.INFO_REQUESTED: "answer_info",
    State.CLAIM_UNDER_REVIEW: "request_claim_info",
    State.CLAIM_INFO_REQUESTED: "answer_claim_info",
}
ASKING = {"request_info", "request_claim_info"}


@programme_language
def post_message(user, application, body, files=(), action=None, *, before=None, extra=None):
    """A message of the owner or of the advisor on the file, with up to 5 files (PDF, PNG, JPEG).

    It is the workflow's exchange the file's state opens (`MESSAGE_ACTIONS`), or `action` when a page
    names it: an advisor's question moves the file to "informations demandées", the owner's answer
    moves it back. Everything is checked before anything is written: a refused file saves nothing.
    `before(application)`: the caller's own work, under the lock, before the message is written;
    `extra`: what it adds to the audit event and the notification.
    """
    # The state as stored now (the page's copy may be older); the workflow checks it again under the lock.
    action = action or MESSAGE_ACTIONS.get(
        Application.objects.values_list("state", flat=True).get(pk=application.pk)
    )
    if action is None:
        raise Conflict(
            "no_exchange",
            "Aucun échange n'est ouvert sur ce dossier pour l'instant : un message se joint à une demande "
            "d'informations du conseiller ou à la réponse de l'entreprise.",
        )
    body = (body or "").strip()
    if not body:
        if action in ASKING:
            raise ServiceError("missing", "Précisez les informations ou pièces attendues.", "message")
        raise ServiceError("missing", "Écrivez votre réponse au conseiller.", "message")
    checked = clean_attachments(files)

    def write(application):
        if before:
            before(application)
        message = Message.objects.create(application=application, author=user, body=body)
        for upload, content_type in checked:
            MessageAttachment.objects.create(
                message=message,
                file=upload,
                original_name=os.path.basename(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )

    data = {"attachments": [upload.name for upload, _ in checked]} if checked else {}
    return WORKFLOW.perform(user, application, action, reason=body, apply=write, **data, **(extra or {}))


def request_info(advisor, application, message, files=()):
    return post_message(advisor, application, message, files, action="request_info")


def request_claim_info(advisor, application, message, files=()):
    return post_message(advisor, application, message, files, action="request_claim_info")


@programme_language
def answer_info(owner, application, message, files=(), quote=None, planned_spend_cents=None):
    """The owner answers the advisor; with a corrected quote (and its HT amount, when it changed), which
    replaces the file's quote: the voucher amount follows, and the reservation with it (the part no
    longer needed goes back to the envelope; a higher amount is reserved if the envelope holds it)."""
    if planned_spend_cents is not None and not quote:
        raise ServiceError("quote_missing", "Joignez le devis corrigé qui porte ce nouveau montant.", "quote")
    if quote:
        clean_pdf(quote, "quote")
    if planned_spend_cents is not None:
        minimum = application.scheme.min_spend_cents
        if planned_spend_cents <= 0 or planned_spend_cents < minimum:
            raise ServiceError(
                "below_minimum_spend",
                f"La dépense prévue doit être d'au moins {euros(minimum)} HT.",
                "planned_spend_cents",
            )
    if not quote:
        return post_message(owner, application, message, files, action="answer_info")
    released = 0

    def replace_quote(application):
        nonlocal released
        spend = planned_spend_cents or application.planned_spend_cents
        amount = application.scheme.voucher_amount_cents(spend)
        if amount > application.reserved_cents and not budget.try_reserve(
            application.envelope_id, application, amount - application.reserved_cents
        ):
            raise Conflict(
                "budget_exhausted",
                f"Le budget de votre région ne permet plus d'augmenter le chèque au-delà de "
                f"{euros(application.reserved_cents)} : rien n'a été changé. Envoyez votre réponse sans "
                "nouveau montant, ou un devis dont le montant ne dépasse pas le précédent.",
            )
        if amount < application.reserved_cents:
            released = application.reserved_cents - amount
            budget.release(application, released)
        application.quote = quote
        application.planned_spend_cents = spend
        application.amount_cents = application.reserved_cents = amount

    previous_spend = application.planned_spend_cents
    new_spend = planned_spend_cents or previous_spend
    with transaction.atomic():
        application = post_message(
            owner, application, message, files, action="answer_info", before=replace_quote,
            extra={"quote_replaced": True, "planned_spend_cents": [previous_spend, new_spend]},
        )  # fmt: skip
        if released:
            _promote_waitlisted(application.envelope_id)
    return application


def answer_claim_info(owner, application, message, files=()):
    return post_message(owner, application, message, files, action="answer_claim_info")


@programme_language
def approve(advisor, application, note=""):
    """Approve: the reservation becomes a commitment and the voucher is issued."""

    def grant(application):
        if not application.is_funded:
            raise Conflict(
                "not_funded", "Ce dossier n'a pas de budget réservé : il ne peut pas être accordé."
            )
        if not authority.may_act(application.owner, application.company):
            raise Conflict(
                "authority_not_verified",
                "La qualité du demandeur pour agir pour l'entreprise n'est pas (ou plus) établie : le chèque ne "
                "peut pas être accordé.",
            )
        _require_payee_verified(application)
        _require_de_minimis(application)
        budget.commit(application)
        application.decided_at = timezone.now()
        application.valid_until = timezone.localdate() + timedelta(days=application.scheme.validity_days)

    return WORKFLOW.perform(advisor, application, "approve", reason=note, apply=grant)


class DeMinimisCeiling(ServiceError):
    """Over the de minimis ceiling: the plain sentence, and the sums as `details` (the API's JSON)."""

    # A refusal for the file's state (what it asks against the aid already granted): 409, like every
    # other eligibility refusal of a complete file.
    def __init__(self, message, check, status=409, **params):
        super().__init__("de_minimis_ceiling", message, **params)
        self.status = status
        self.details = check.as_dict()

    def as_dict(self):
        return {**super().as_dict(), "details": self.details}


def _require_de_minimis(application):
    """Check the ceiling again on the day of the grant, with the programme's vouchers granted since the
    submission to any company of the single undertaking; keep the check on the file."""
    ceiling = deminimis.ceiling_of(application.scheme)
    if ceiling is None:
        return
    check = deminimis.check(application, timezone.localdate(), ceiling_cents=ceiling)
    start, end = check.window
    if check.passed is False:
        raise DeMinimisCeiling(
            gettext_noop(
                "Le chèque ne peut pas être accordé : avec lui, les aides de minimis de l'entreprise unique "
                "atteindraient %(total)s du %(start)s au %(end)s, au-delà du plafond de %(ceiling)s sur 3 ans "
                "(aides déclarées %(declared)s, entreprises liées %(linked)s, chèques du programme déjà "
                "accordés %(granted)s, ce chèque %(amount)s). Refusez la demande, ou demandez à l'entreprise "
                "de corriger sa déclaration."
            ),
            check,
            status=409,
            total=euros(check.total_cents),
            start=f"{start:%d/%m/%Y}",
            end=f"{end:%d/%m/%Y}",
            ceiling=euros(check.ceiling_cents),
            declared=euros(check.declared_cents or 0),
            linked=euros(check.linked_cents),
            granted=euros(check.granted_cents),
            amount=euros(check.this_voucher_cents),
        )
    application.de_minimis_check = {**(application.de_minimis_check or {}), "approval": check.as_dict()}


@programme_language
def reject(advisor, application, reason_code, text=""):
    if reason_code not in RejectionReason.values:
        raise ServiceError("invalid_reason", "Choisissez un motif de refus dans la liste.", "reason")
    text = (text or "").strip()
    if reason_code == RejectionReason.OTHER and not text:
        raise ServiceError("missing", "Précisez le motif du refus.", "text")
    reason = str(RejectionReason(reason_code).label) + (f" – {text}" if text else "")

    def decide(application):
        application.decided_at = timezone.now()

    with transaction.atomic():
        application = WORKFLOW.perform(
            advisor, application, "reject", reason=reason, apply=decide, reason_code=reason_code
        )
        _release_all(application)
    return application


@programme_language
def withdraw(owner, application, reason=""):
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        if application.state == State.DRAFT and application.owner_id == owner.pk:
            raise Conflict(
                "draft_not_withdrawn",
                "Un brouillon ne se retire pas : supprimez-le depuis sa page si vous n'en voulez plus.",
            )
        application = WORKFLOW.perform(owner, application, "withdraw", reason=reason, locked=True)
        _release_all(application)
    return application


# --- who applies, and whose account is paid --------------------------------------------------------


PAYEE_CHECKLIST = [
    ("rib_holder", _("Le RIB déposé est au nom de l'entreprise (ou de l'entrepreneur individuel).")),
    ("rib_iban", _("L'IBAN du RIB est celui du dossier.")),
]
FOREIGN_CHECK = (
    "foreign_account",
    _("Le compte est tenu hors de France : la raison en est connue et acceptable."),
)


def payee_checklist(application):
    return PAYEE_CHECKLIST + ([FOREIGN_CHECK] if payee.is_foreign(application.iban) else [])


def _require_payee_verified(application):
    if application.scheme.payee == Scheme.Payee.BUSINESS and not application.payee_verified:
        raise Conflict(
            "payee_not_verified",
            "Le compte bancaire n'est pas vérifié au nom de l'entreprise : contrôlez le RIB et confirmez-le d'abord.",
        )


@programme_language
def confirm_authority(advisor, application, checked):
    """The advisor checked the extract and the statement: the file takes its place in the receipt order."""

    def confirm(application):
        rep = authority.representation_of(application.owner, application.company)
        if rep is None:
            raise Conflict("authority_missing", "Le demandeur n'a pas déclaré sa qualité pour agir.")
        authority.confirm(advisor, rep, set(checked))
        if application.scheme.allocation != Scheme.Allocation.FCFS:
            return State.SUBMITTED
        # Strict receipt order: a file that arrived earlier and waits for budget is not overtaken.
        earlier_waiting = Application.objects.filter(
            envelope_id=application.envelope_id, state=State.WAITLISTED, queue_rank__lt=application.queue_rank
        ).exists()
        if earlier_waiting or not budget.try_reserve(
            application.envelope_id, application, application.amount_cents
        ):
            return State.WAITLISTED
        application.reserved_cents = application.amount_cents
        return State.SUBMITTED

    return WORKFLOW.perform(
        advisor, application, "confirm_authority", apply=confirm, checklist=sorted(checked)
    )


@programme_language
def refuse_authority(advisor, application, note):
    note = (note or "").strip()
    if not note:
        raise ServiceError(
            "missing", "Dites au demandeur ce qui manque ou ne va pas dans ses pièces.", "note"
        )

    def refuse(application):
        rep = authority.representation_of(application.owner, application.company)
        if rep is not None:
            authority.refuse(advisor, rep, note)
        application.decided_at = timezone.now()

    with transaction.atomic():
        application = WORKFLOW.perform(advisor, application, "refuse_authority", reason=note, apply=refuse)
        _release_all(application)
    return application


@programme_language
def contest(user, company, reason=""):
    """A verified legal representative says they did not open (nor allow) the company's open file.

    The file is held for an advisor with its reservation frozen; it no longer blocks the company.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "missing", "Expliquez en une phrase pourquoi vous contestez cette demande.", "reason"
        )
    target = Application.objects.filter(company=company, state__in=OPEN_STATES).first()
    if target is None:
        raise Conflict(
            "nothing_to_contest",
            "Aucune demande ouverte par une autre personne n'est en cours pour cette entreprise.",
        )
    if target.owner_id == user.pk:
        raise PermissionDenied(
            "own_file",
            "Cette demande est la vôtre : vous ne pouvez pas la contester. Retirez-la si vous ne souhaitez "
            "plus la poursuivre.",
        )

    def hold(application):
        application.held_from = application.state
        application.contested_by = user
        application.contested_at = timezone.now()

    return WORKFLOW.perform(user, target, "contest", reason=reason, apply=hold)


@programme_language
def uphold_contest(advisor, application, note):
    note = (note or "").strip()
    if not note:
        raise ServiceError("missing", "Indiquez le motif : il sera envoyé au demandeur.", "note")

    def decide(application):
        rep = authority.representation_of(application.owner, application.company)
        if rep is not None:
            authority.refuse(advisor, rep, note)
        application.decided_at = timezone.now()

    reason = f"Contestation du représentant légal retenue – {note}"
    with transaction.atomic():
        application = WORKFLOW.perform(advisor, application, "uphold_contest", reason=reason, apply=decide)
        _release_all(application)
    return application


@programme_language
def dismiss_contest(advisor, application, note=""):
    try:
        with transaction.atomic():
            return WORKFLOW.perform(
                advisor,
                application,
                "dismiss_contest",
                reason=note,
                apply=lambda application: application.held_from or State.SUBMITTED,
            )
    except IntegrityError:
        raise Conflict(
            "other_file_open",
            "Une autre demande a été ouverte depuis pour cette entreprise : le dossier ne peut pas reprendre. "
            "Refusez l'une des deux demandes.",
        ) from None


@programme_language
def confirm_payee(advisor, application, checked):
    """The advisor checked the RIB: the account is the company's. Audited on the file (no state change)."""
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        if not advisor_covers(advisor, application):
            raise PermissionDenied(
                "forbidden", "Seuls les conseillers du territoire du dossier peuvent confirmer le compte."
            )
        if application.state not in OPEN_STATES:
            raise Conflict(
                "invalid_transition",
                f"Cette action n'est pas possible : le dossier est « {application.get_state_display()} ».",
            )
        if not application.bank_document:
            raise Conflict("bank_document_missing", "Le RIB n'a pas été déposé : demandez-le à l'entreprise.")
        missing = [str(label) for key, label in payee_checklist(application) if key not in checked]
        if missing:
            raise ServiceError(
                "checklist_incomplete",
                "Vérifiez chaque point avant de confirmer : " + " ".join(missing),
                "checklist",
            )
        application.payee_confirmed_by, application.payee_confirmed_at = advisor, timezone.now()
        application.payee_checked_iban = application.iban
        application.payee_changed_after_approval = False
        application.save()
        audit.record(
            application, actor=advisor, action="confirm_payee", outcome=application.payee_outcome,
            iban_end=application.iban[-4:], checklist=sorted(checked),
        )  # fmt: skip
    return application


@programme_language
def change_bank_account(owner, application, iban, bank_document):
    """The owner gives another account; after approval an advisor must confirm it again."""
    iban = clean_iban(iban)
    clean_pdf(bank_document, "bank_document")
    with transaction.atomic():
        application = WORKFLOW.lock(application)
        if application.owner_id != owner.pk:
            raise PermissionDenied("forbidden", "Seul le demandeur peut changer le compte du dossier.")
        if application.state not in OPEN_STATES:
            raise Conflict(
                "invalid_transition",
                f"Le compte ne peut plus être changé : le dossier est « {application.get_state_display()} ».",
            )
        if hasattr(application, "payment_line"):
            raise Conflict(
                "in_payment_batch",
                "Le virement est déjà dans un lot de paiement : le compte ne peut plus être changé.",
            )
        previous = application.iban
        application.iban, application.bank_document = iban, bank_document
        _check_payee(application)
        application.payee_changed_after_approval = application.state in states_tagged(GRANTED)
        application.save()
        audit.record(
            application, actor=owner, action="change_bank_account", iban_end=iban[-4:],
            previous_iban_end=previous[-4:], outcome=application.payee_outcome,
        )  # fmt: skip
    return application


# --- claim ----------------------------------------------------------------------------------------


@programme_language
def submit_claim(owner, application, invoice, proof_of_payment, invoiced_spend_cents):
    from tremplin.vouchers.invoices import check_invoice

    with transaction.atomic():
        application = WORKFLOW.lock(application)
        WORKFLOW.guard(owner, application, "submit_claim")
        if application.valid_until and timezone.localdate() > application.valid_until:
            raise Conflict(
                "voucher_expired",
                f"Votre chèque a expiré le {application.valid_until:%d/%m/%Y} : la demande de paiement n'est plus possible.",
            )
        if invoiced_spend_cents is None or invoiced_spend_cents <= 0:
            raise ServiceError(
                "invalid_amount", "Le montant facturé doit être supérieur à zéro.", "invoiced_spend_cents"
            )
        if invoiced_spend_cents > application.planned_spend_cents:
            raise ServiceError(
                "claim_above_voucher",
                f"Le montant facturé ({euros(invoiced_spend_cents)} HT) dépasse le devis sur lequel le chèque a été "
                f"accordé ({euros(application.planned_spend_cents)} HT). Vérifiez le montant HT de la facture ; "
                "si la prestation a changé, écrivez à votre conseiller.",
                "invoiced_spend_cents",
            )
        clean_pdf(invoice, "invoice")
        clean_pdf(proof_of_payment, "proof_of_payment")
        payable = min(
            application.reserved_cents, application.scheme.voucher_amount_cents(invoiced_spend_cents)
        )
        if invoiced_spend_cents < application.scheme.min_spend_cents:
            raise ServiceError(
                "below_minimum_spend",
                f"La dépense facturée doit être d'au moins {euros(application.scheme.min_spend_cents)} HT.",
                "invoiced_spend_cents",
            )
        read, flags = check_invoice(invoice, application, invoiced_spend_cents)
        claim = Claim.objects.create(
            application=application,
            invoice=invoice,
            proof_of_payment=proof_of_payment,
            invoiced_spend_cents=invoiced_spend_cents,
            invoice_number=read.get("number", ""),
            invoice_sha256=file_sha256(invoice),
            invoice_date=read.get("date"),
            facturx={k: (str(v) if k == "date" else v) for k, v in read.items()},
            flags=flags,
            payable_cents=payable,
        )
        WORKFLOW.perform(owner, application, "submit_claim", locked=True, payable_cents=payable, flags=flags)
    return claim


@programme_language
def start_claim_review(advisor, application):
    return WORKFLOW.perform(advisor, application, "start_claim_review")


@programme_language
def approve_claim(advisor, application, note=""):
    """The advisor validates the claim; the day it is validated sets when the owner may expect the money."""

    def validate(application):
        _require_payee_verified(application)
        claim = application.claim
        claim.approved_at = timezone.now()
        claim.save(update_fields=["approved_at"])

    return WORKFLOW.perform(advisor, application, "approve_claim", reason=note, apply=validate)


@programme_language
def mark_paid(manager, application, batch_reference=""):
    """Record the payment: disburse the payable amount and release the rest of the commitment."""
    rest = 0

    def pay(application):
        nonlocal rest
        if not hasattr(application, "payment_line"):
            # Money only leaves through a SEPA file, so a claim is never paid outside a batch.
            raise Conflict("not_in_batch", "Ce dossier doit d'abord être mis dans un lot de virements.")
        payable = application.claim.payable_cents
        budget.disburse(application, payable)
        rest = application.reserved_cents - payable
        if rest:
            budget.release(application, rest)
        application.reserved_cents = payable

    with transaction.atomic():
        application = WORKFLOW.lock(application)
        WORKFLOW.perform(
            manager,
            application,
            "mark_paid",
            locked=True,
            reason=batch_reference,
            apply=pay,
            paid_cents=application.claim.payable_cents if hasattr(application, "claim") else 0,
        )
        if rest:
            _promote_waitlisted(application.envelope_id)
    return application


@programme_language
def expire(application, actor=SYSTEM, on=None):
    """A voucher not claimed by its deadline gives its commitment back. Run by the daily job as SYSTEM."""
    on = on or timezone.localdate()

    def due(application):
        if application.valid_until is None or application.valid_until >= on:
            raise Conflict("not_due", "Ce chèque est encore valable.")

    with transaction.atomic():
        application = WORKFLOW.perform(
            actor,
            application,
            "expire",
            reason="Date limite dépassée sans demande de paiement.",
            apply=due,
        )
        _release_all(application)
    return application


@programme_language
def claw_back(manager, application, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("missing", "Indiquez le motif du reversement (contrôle, fraude…).", "reason")

    def recover(application):
        budget.claw_back(application, application.reserved_cents)
        application.reserved_cents = 0

    with transaction.atomic():
        application = WORKFLOW.perform(manager, application, "claw_back", reason=reason, apply=recover)
        _promote_waitlisted(application.envelope_id)
    return application


# --- scheduled work ------------------------------------------------------------------------------


@programme_language
def expire_due(on=None):
    on = on or timezone.localdate()
    due = Application.objects.filter(state=State.APPROVED, valid_until__lt=on).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        expire(Application(pk=pk), on=on)
        count += 1
    return count


@programme_language
def send_expiry_reminders(on=None, days_before=(30, 7)):
    """Remind owners of approved, unclaimed vouchers: once per threshold (30 and 7 days before)."""
    on = on or timezone.localdate()
    sent = 0
    for days in sorted(days_before):
        due = Application.objects.filter(
            state=State.APPROVED, valid_until__gte=on, valid_until__lte=on + timedelta(days=days)
        ).select_related("owner")
        for application in due:
            if (
                application.last_reminder_on
                and application.last_reminder_on >= application.valid_until - timedelta(days=days)
            ):
                continue
            with transaction.atomic():
                Application.objects.filter(pk=application.pk).update(last_reminder_on=on)
                audit.record(
                    application,
                    actor=None,
                    action="expiry_reminder",
                    reason=f"Rappel : expiration dans {(application.valid_until - on).days} jours.",
                )
                notify(
                    application.owner,
                    "Votre chèque {ref} expire bientôt",
                    "vouchers/emails/reminder.txt",
                    subject_params={"ref": application.reference},
                    application=application,
                )
            sent += 1
    return sent


# Advisors are reminded of a file this many days before its review time target ends.
REVIEW_REMINDER_DAYS = 3


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@programme_language
def send_review_reminders(on=None):
    """Remind the advisors of a file awaiting a decision (`advisors_of`) when the scheme's review time
    target ends within REVIEW_REMINDER_DAYS days, or has already ended (a file overdue before the job
    first ran, or while it did not run): once per file, audited. Returns the files reminded."""
    on = on or timezone.localdate()
    reminded = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=Cast(OuterRef("pk"), CharField()),
        action="review_reminder",
    )
    sent = 0
    for scheme in Scheme.objects.only("pk", "review_sla_days").order_by("pk"):
        # The target ends `review_sla_days` after the day of submission: any day up to the reminder's horizon.
        first_day = on - timedelta(days=scheme.review_sla_days)
        due, order = assignment.queue_filter(
            Application.objects.filter(
                scheme=scheme,
                state__in=assignment.SLA_STATES,
                submitted_at__lt=_day_start(first_day + timedelta(days=REVIEW_REMINDER_DAYS + 1)),
            ),
            expires_soon=False,
            today=on,
        )
        due = due.exclude(Exists(reminded)).order_by(*order).values_list("pk", flat=True)
        for pk in list(due):
            sent += _remind_advisors(pk, on)
    return sent


def _remind_advisors(pk, on):
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("company__departement", "scheme", "assigned_advisor")
            .get(pk=pk)
        )
        # Another run may have reminded it since the list was read.
        if AuditEvent.objects.for_object(application).filter(action="review_reminder").exists():
            return 0
        deadline = assignment.review_deadline(application)
        overdue = deadline < on
        advisors = advisors_of(application)
        audit.record(
            application,
            actor=None,
            action="review_reminder",
            reason=(
                f"Rappel aux conseillers : le délai cible d'instruction a pris fin le {deadline:%d/%m/%Y}."
                if overdue
                else f"Rappel aux conseillers : le délai cible d'instruction prend fin le {deadline:%d/%m/%Y}."
            ),
            advisors=[advisor.pk for advisor in advisors],
        )
        for advisor in advisors:
            notify(
                advisor,
                (
                    "Dossier {ref} : délai d'instruction dépassé"
                    if overdue
                    else "Dossier {ref} : délai d'instruction bientôt dépassé"
                ),
                "vouchers/emails/advisor_review_reminder.txt",
                subject_params={"ref": application.reference},
                application=application,
                deadline=deadline,
                overdue=overdue,
            )
    return 1


def draw_refusal(user, scheme, now=None):
    """Why `user` may not run the draw of `scheme` now (a ServiceError), or None when they may."""
    if user.role != Role.MANAGER:
        return PermissionDenied("forbidden", "Seul un gestionnaire du programme peut lancer le tirage.")
    if scheme.allocation != Scheme.Allocation.LOTTERY:
        return Conflict(
            "not_a_lottery", "Ce dispositif attribue ses chèques dans l'ordre d'arrivée, sans tirage."
        )
    if scheme.lottery_drawn_at:
        return Conflict("already_drawn", "Le tirage de ce dispositif a déjà eu lieu.")
    if (now or timezone.now()) < scheme.window_closes_at:
        return Conflict("window_open", "Le tirage a lieu après la clôture des dépôts.")
    held = Application.objects.filter(scheme=scheme, state=State.AUTHORITY_CHECK).count()
    if held:
        return Conflict(
            "authority_checks_pending",
            f"{held} dossier(s) attendent la vérification de la qualité du demandeur : le tirage aura lieu "
            "quand les conseillers les auront confirmés ou refusés.",
        )
    return None


@programme_language
def draw_lottery(manager, scheme, seed=None):
    """After the window closes: order files by a hash of the published seed, reserve in that order.

    The manager runs the draw (audited on the scheme); each file is then moved by the platform.
    """
    if manager.role != Role.MANAGER:
        raise draw_refusal(manager, scheme)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        refusal = draw_refusal(manager, scheme)
        if refusal:
            raise refusal
        seed = seed or scheme.lottery_seed
        if not seed:
            raise ServiceError("missing_seed", "Publiez la graine du tirage avant de le lancer.", "seed")
        scheme.lottery_seed = seed
        scheme.lottery_drawn_at = timezone.now()
        scheme.save(update_fields=["lottery_seed", "lottery_drawn_at"])
        candidates = list(Application.objects.filter(scheme=scheme, state=State.SUBMITTED, reserved_cents=0))
        order = sorted(candidates, key=lambda a: lottery_key(seed, a.pk))
        blocked = set()
        for rank, application in enumerate(order, start=1):
            application.queue_rank = rank
            funded = application.envelope_id not in blocked and budget.try_reserve(
                application.envelope_id, application, application.amount_cents
            )
            if funded:
                application.reserved_cents = application.amount_cents
            else:
                blocked.add(application.envelope_id)
            WORKFLOW.perform(
                SYSTEM,
                application,
                "lottery_drawn",
                locked=True,
                to=State.SUBMITTED if funded else State.WAITLISTED,
                reason=f"Tirage : rang {rank}, financé." if funded else f"Tirage : rang {rank}.",
                rank=rank,
            )
        audit.record(scheme, actor=manager, action="lottery_drawn", reason=f"Graine {seed}", files=len(order))
    return order


def lottery_key(seed, pk):
    """Anyone holding the published seed and the file numbers can recompute the draw."""
    return hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest()
