"""Payment batches: SEPA credit transfer files (pain.001.001.03) for approved claims.

Every change of a batch is one function here: manager only, precondition, one transaction, one audit
event; the steps of a batch are declared in `tremplin.payments.workflow` and taken by its `perform()`. A claim enters at most one batch (PaymentLine.application is one-to-one, the database enforces
it) and a batch is marked paid once, so a claim is never paid twice.

Names and texts in a SEPA file: sepaxml transliterates to ASCII and silently cuts names to 70 and the
remittance text to 140 characters. We never let it cut a name: we transliterate ourselves (to the EPC
basic Latin set), and a creditor name still longer than 70 characters, a missing or invalid IBAN, or
an account not verified as the payee's (the company's: `Application.payee_verified`; the provider's:
the verification of payee must answer MATCH) leaves that file out of the batch with a French sentence
naming it (`PaymentBatch.warnings`); it stays in the pool for the next batch once corrected. The remittance text is ours ("<reference> <scheme>"),
so when it is too long we shorten the scheme name and keep the reference whole.
"""

import importlib.resources
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree
from sepaxml import SepaTransfer
from text_unidecode import unidecode

from tremplin.authority import payee
from tremplin.core import audit
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.language import programme_language
from tremplin.core.validators import clean_iban
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.payments.workflow import CANCEL, MARK_PAID, REGENERATE, WORKFLOW, is_manager, refusal
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services as voucher_services
from tremplin.vouchers.models import Application, State

PAIN = "pain.001.001.03"
NAME_MAX = 70
REMITTANCE_MAX = 140
ID_MAX = 35
# Characters every SEPA bank accepts (EPC basic Latin set); anything else becomes a space.
NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


# --- SEPA file ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema():
    xsd = importlib.resources.files("sepaxml").joinpath("schemas", f"{PAIN}.xsd")
    with importlib.resources.as_file(xsd) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def validate_sepa_xml(xml_bytes: bytes, filename: str = "") -> None:
    """Raise ServiceError unless `xml_bytes` is valid against the pain.001.001.03 XSD shipped in sepaxml."""
    name = f"« {filename} » " if filename else ""
    try:
        document = etree.fromstring(bytes(xml_bytes))
    except etree.XMLSyntaxError as err:
        raise ServiceError(
            "invalid_sepa_file", f"Le fichier de virement {name}n'est pas un XML lisible ({err})."
        ) from None
    schema = _schema()
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise ServiceError(
            "invalid_sepa_file",
            f"Le fichier de virement {name}n'est pas conforme au format SEPA {PAIN} "
            f"(ligne {error.line} : {error.message}). Il n'a pas été enregistré.",
        )


def sepa_text(value: str) -> str:
    """What a text becomes in the file: ASCII, EPC characters only, single spaces."""
    return " ".join(NOT_SEPA.sub(" ", unidecode(value or "")).split())


def _build_xml(message_id: str, execution_date, lines) -> bytes:
    payer_name = sepa_text(settings.PAYER_NAME)
    if not payer_name or len(payer_name) > NAME_MAX:
        raise ServiceError(
            "payer_name_invalid", "Le nom du payeur (PAYER_NAME) doit compter de 1 à 70 caractères."
        )
    config = {"name": payer_name, "IBAN": settings.PAYER_IBAN, "currency": "EUR", "batch": True}
    if settings.PAYER_BIC:
        config["BIC"] = settings.PAYER_BIC
    transfer = SepaTransfer(config, schema=PAIN, clean=True)
    for line in lines:
        # No creditor BIC: IBAN-only transfers are the SEPA rule since 2016.
        transfer.add_payment(
            {
                "name": line.creditor_name,
                "IBAN": line.creditor_iban,
                "amount": line.amount_cents,
                "execution_date": execution_date,
                "description": line.remittance_info,
                "endtoend_id": line.end_to_end_id,
            }
        )
    xml = transfer.export(validate=False)
    return _stamp(xml, message_id)


def _stamp(xml: bytes, message_id: str) -> bytes:
    """Put our stable ids where sepaxml writes random ones, so a rebuilt file keeps its identity."""
    root = etree.fromstring(xml)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{PAIN}"}
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text = message_id
    for position, node in enumerate(root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", ns), start=1):
        node.text = f"{message_id}-{position}"[:ID_MAX]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- lines ----------------------------------------------------------------------------------------


@dataclass
class Creditor:
    name: str
    iban: str


class Excluded(Exception):
    """A file that cannot be put in a transfer as it stands; the message names it."""


def creditor_for(application) -> Creditor:
    """Who receives the money: the business or, when the scheme pays providers, the provider."""
    ref = application.reference
    if application.scheme.payee == Scheme.Payee.PROVIDER:
        provider = application.provider
        if provider is None:
            raise Excluded(f"Dossier {ref} : aucun prestataire n'est rattaché au dossier.")
        whose = f"du prestataire « {provider.name} »"
        raw_name, raw_iban = provider.name, provider.iban
    else:
        company = application.company
        whose = "de l'entreprise"
        raw_name = application.account_holder.strip()
        if not raw_name and (company.denomination or company.last_name):
            raw_name = company.display_name
        raw_iban = application.iban
    if not raw_iban:
        raise Excluded(f"Dossier {ref} : l'IBAN {whose} est manquant.")
    try:
        iban = clean_iban(raw_iban)
    except ServiceError:
        raise Excluded(f"Dossier {ref} : l'IBAN {whose} n'est pas valide.") from None
    name = sepa_text(raw_name)
    if not name:
        raise Excluded(f"Dossier {ref} : le nom du titulaire du compte {whose} est manquant.")
    if len(name) > NAME_MAX:
        raise Excluded(
            f"Dossier {ref} : le nom du bénéficiaire « {name} » dépasse {NAME_MAX} caractères, la limite "
            "d'un virement SEPA. Raccourcissez le nom du titulaire du compte, puis créez un nouveau lot."
        )
    if application.scheme.payee == Scheme.Payee.PROVIDER:
        _require_provider_account(application, iban)
    elif not application.payee_verified:
        raise Excluded(
            f"Dossier {ref} : le compte à créditer n'est pas confirmé au nom de l'entreprise "
            f"({_why_unverified(application)}). Le conseiller du dossier doit contrôler le RIB et confirmer "
            "le compte ; le dossier reste en attente et partira dans le lot suivant."
        )
    return Creditor(name=name, iban=iban)


def _why_unverified(application):
    reasons = []
    if not application.payee_outcome:
        reasons.append("le compte n'a pas été vérifié auprès de la banque")
    elif application.payee_outcome != payee.Outcome.MATCH:
        reasons.append(f"la banque répond « {payee.Outcome(application.payee_outcome).label} »")
    if payee.is_foreign(application.iban):
        reasons.append("le compte est tenu hors de France")
    if application.payee_changed_after_approval:
        reasons.append("le compte a été changé après l'accord du chèque")
    return " ; ".join(reasons)


def _require_provider_account(application, iban):
    """A scheme paying providers pays only an account the bank confirms is held in the provider's name."""
    provider = application.provider
    answer = payee.verify(iban, provider.name)
    if answer.outcome != payee.Outcome.MATCH:
        raise Excluded(
            f"Dossier {application.reference} : la banque ne confirme pas que le compte du prestataire "
            f"« {provider.name} » est à son nom (réponse : « {payee.Outcome(answer.outcome).label} »). "
            "Le prestataire doit donner le RIB d'un compte à son nom ; le dossier reste en attente et "
            "partira dans le lot suivant."
        )


def end_to_end_id(application) -> str:
    """Deterministic: the same file always gets the same id, which the bank echoes back."""
    return application.reference[:ID_MAX]


def remittance_info(application) -> str:
    reference = application.reference
    room = REMITTANCE_MAX - len(reference) - 1
    scheme_name = sepa_text(application.scheme.name)
    if len(scheme_name) > room:
        scheme_name = scheme_name[: room - 3].rstrip() + "..."
    return f"{reference} {scheme_name}".strip()


def _line_values(application) -> dict:
    creditor = creditor_for(application)
    amount = application.claim.payable_cents
    if amount <= 0:
        raise Excluded(f"Dossier {application.reference} : le montant à payer est nul.")
    return {
        "application": application,
        "amount_cents": amount,
        "creditor_name": creditor.name,
        "creditor_iban": creditor.iban,
        "end_to_end_id": end_to_end_id(application),
        "remittance_info": remittance_info(application),
    }


# --- transitions ----------------------------------------------------------------------------------


def _require_manager(user, name):
    """Refuse anyone but a manager before anything else is checked or read."""
    if not is_manager(user):
        raise refusal(name)


def _new_message_id(now):
    return f"TN-{now:%Y%m%d%H%M%S}-{secrets.token_hex(5)}"


def _candidates(scheme):
    return list(
        Application.objects.filter(scheme=scheme, state=State.CLAIM_APPROVED, payment_line__isnull=True)
        .select_related("scheme", "company", "provider", "claim")
        .order_by("pk")
    )


def _split(candidates):
    """The lines of the files that can be paid as they stand, and a sentence for each one left out."""
    values, warnings = [], []
    for application in candidates:
        try:
            values.append(_line_values(application))
        except Excluded as excluded:
            warnings.append(str(excluded))
    return values, warnings


@dataclass
class Preview:
    lines: list
    warnings: list

    @property
    def total_cents(self):
        return sum(line["amount_cents"] for line in self.lines)


@programme_language
def preview_batch(scheme) -> Preview:
    """What a batch created now would hold, and what it would leave out. Reads only."""
    values, warnings = _split(_candidates(scheme))
    return Preview(values, warnings)


@programme_language
def create_batch(manager, scheme) -> PaymentBatch:
    """Put every approved claim of the scheme not yet in a batch into one new SEPA file.

    Files that cannot be paid as they stand are left out and listed in `batch.warnings`.
    """
    _require_manager(manager, "create_batch")
    now = timezone.now()
    with transaction.atomic():
        # One batch at a time per scheme: a second manager waits, then finds the claims taken.
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        candidates = _candidates(scheme)
        if not candidates:
            raise Conflict(
                "nothing_to_pay",
                f"Aucune demande de paiement validée n'attend de mise en paiement pour « {scheme.name} ».",
            )
        values, warnings = _split(candidates)
        if not values:
            raise ServiceError(
                "nothing_payable",
                "Aucun dossier ne peut être mis en paiement : " + " ".join(warnings),
            )
        batch = PaymentBatch.objects.create(
            scheme=scheme,
            message_id=_new_message_id(now),
            created_by=manager,
            execution_date=timezone.localdate(now),
            total_cents=sum(v["amount_cents"] for v in values),
            warnings=warnings,
        )
        try:
            with transaction.atomic():
                lines = PaymentLine.objects.bulk_create([PaymentLine(batch=batch, **v) for v in values])
        except IntegrityError:
            raise Conflict(
                "already_in_batch",
                "Certains dossiers viennent d'être mis dans un autre lot : rechargez la page et réessayez.",
            ) from None
        batch.xml = _build_xml(batch.message_id, batch.execution_date, lines)
        validate_sepa_xml(batch.xml, batch.filename)
        batch.xml_generated_at = now
        batch.save(update_fields=["xml", "xml_generated_at"])
        references = [line.application.reference for line in lines]
        audit.record(
            batch,
            actor=manager,
            action="create_batch",
            to_state=PaymentBatch.State.DRAFT,
            lines=len(lines),
            total_cents=batch.total_cents,
            references=references,
            excluded=warnings,
        )
        for line in lines:
            audit.record(
                line.application,
                actor=manager,
                action="add_to_payment_batch",
                reason=f"Lot de paiement {batch.message_id}",
                batch=batch.message_id,
                amount_cents=line.amount_cents,
            )
    return batch


def regenerate_xml(manager, batch) -> PaymentBatch:
    """Rebuild the file of a draft batch: same lines, amounts, end-to-end ids and message id.

    The creditor's name and IBAN are read again, so a corrected IBAN reaches the file.
    """
    _require_manager(manager, REGENERATE)
    with transaction.atomic():
        batch = WORKFLOW.lock(batch)
        _require_draft(batch)
        lines = list(
            batch.lines.select_related(
                "application__scheme", "application__company", "application__provider"
            ).order_by("pk")
        )
        changed, problems = [], []
        for line in lines:
            try:
                creditor = creditor_for(line.application)
            except Excluded as excluded:
                problems.append(str(excluded))
                continue
            if (creditor.name, creditor.iban) != (line.creditor_name, line.creditor_iban):
                line.creditor_name, line.creditor_iban = creditor.name, creditor.iban
                changed.append(line)
        if problems:
            raise ServiceError(
                "batch_line_invalid",
                f"Le fichier {batch.filename} n'a pas été régénéré : " + " ".join(problems),
            )

        def rebuild(batch):
            now = timezone.now()
            for line in changed:
                line.save(update_fields=["creditor_name", "creditor_iban"])
            batch.execution_date = max(batch.execution_date, timezone.localdate(now))
            batch.xml = _build_xml(batch.message_id, batch.execution_date, lines)
            validate_sepa_xml(batch.xml, batch.filename)
            batch.xml_generated_at = now

        return WORKFLOW.perform(
            manager,
            batch,
            REGENERATE,
            locked=True,
            apply=rebuild,
            lines=len(lines),
            creditor_changed=[line.application.reference for line in changed],
        )


def mark_batch_paid(manager, batch) -> PaymentBatch:
    """The bank executed the file: every claim of the batch becomes paid, in one transaction."""
    _require_manager(manager, MARK_PAID)
    with transaction.atomic():
        batch = WORKFLOW.lock(batch)
        if batch.state == PaymentBatch.State.PAID:
            raise Conflict(
                "already_paid",
                f"Le lot {batch.message_id} est déjà payé (le {timezone.localtime(batch.paid_at):%d/%m/%Y}) : "
                "rien n'a été payé une seconde fois.",
            )
        _require_draft(batch)
        lines = list(batch.lines.select_related("application").order_by("pk"))

        def pay(batch):
            for line in lines:
                voucher_services.mark_paid(manager, line.application, batch_reference=batch.message_id)
            batch.paid_at = timezone.now()

        return WORKFLOW.perform(
            manager,
            batch,
            MARK_PAID,
            locked=True,
            apply=pay,
            lines=len(lines),
            total_cents=batch.total_cents,
        )


def cancel_batch(manager, batch, reason) -> PaymentBatch:
    """Drop a draft batch (file never sent): its claims go back to the pool for the next batch."""
    _require_manager(manager, CANCEL)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("missing", "Indiquez pourquoi le lot est annulé.", "reason")
    with transaction.atomic():
        batch = WORKFLOW.lock(batch)
        _require_draft(batch)
        references = [line.application.reference for line in batch.lines.select_related("application")]

        def drop_lines(batch):
            batch.lines.all().delete()
            batch.cancelled_at = timezone.now()

        return WORKFLOW.perform(
            manager, batch, CANCEL, locked=True, apply=drop_lines, reason=reason, references=references
        )


def _require_draft(batch):
    """Why a batch that is no longer a draft cannot change, more precisely than the workflow says."""
    if batch.state == PaymentBatch.State.PAID:
        raise Conflict(
            "already_paid", f"Le lot {batch.message_id} est déjà payé : il ne peut plus être modifié."
        )
    if batch.state == PaymentBatch.State.CANCELLED:
        raise Conflict("batch_cancelled", f"Le lot {batch.message_id} a été annulé.")
