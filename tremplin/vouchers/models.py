from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.authority.payee import Outcome, is_foreign
from tremplin.core.workflow import StateInfo


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    AUTHORITY_CHECK = "authority_check", _("Qualité du demandeur à vérifier")
    CONTESTED = "contested", _("Contestée par l'entreprise")
    WAITLISTED = "waitlisted", _("En liste d'attente")
    UNDER_REVIEW = "under_review", _("En instruction")
    INFO_REQUESTED = "info_requested", _("Informations demandées")
    APPROVED = "approved", _("Chèque accordé")
    REJECTED = "rejected", _("Refusée")
    CLAIM_SUBMITTED = "claim_submitted", _("Demande de paiement déposée")
    CLAIM_UNDER_REVIEW = "claim_under_review", _("Demande de paiement en instruction")
    CLAIM_INFO_REQUESTED = "claim_info_requested", _("Pièces complémentaires demandées")
    CLAIM_APPROVED = "claim_approved", _("Paiement validé")
    PAID = "paid", _("Payé")
    EXPIRED = "expired", _("Expiré")
    WITHDRAWN = "withdrawn", _("Retirée")
    CLAWED_BACK = "clawed_back", _("Reversement exigé")


OPEN, REVIEW, BEFORE_DECISION, GRANTED = "open", "review", "before_decision", "granted"


def _info(badge, hint, *tags):
    return StateInfo(badge=badge, hint=hint, tags=frozenset(tags))


# What each state shows and the sets it belongs to, declared once:
# open: a company may hold only one file in these states at a time;
# review: waiting for an advisor's review, of the application or of the claim (the review queue);
# before_decision: the scheme's review time target applies;
# granted: the voucher was granted (the decision letter exists).
STATE_INFO = {
    State.DRAFT: _info("fr-badge--new", _("Complétez votre demande puis déposez-la.")),
    State.SUBMITTED: _info(
        "fr-badge--info",
        _("Un conseiller va examiner votre demande. Vous n'avez rien à faire."),
        OPEN,
        REVIEW,
        BEFORE_DECISION,
    ),
    State.AUTHORITY_CHECK: _info(
        "fr-badge--warning",
        _(
            "Un conseiller vérifie vos pièces (extrait du registre et attestation) avant de réserver le "
            "montant. Vous n'avez rien à faire."
        ),
        OPEN,
        REVIEW,
        BEFORE_DECISION,
    ),
    # Not open: a contested file does not block the representative's own application.
    State.CONTESTED: _info(
        "fr-badge--error",
        _("Le représentant légal de l'entreprise conteste cette demande : un conseiller l'examine."),
        REVIEW,
    ),
    State.WAITLISTED: _info(
        "fr-badge--warning", _("Votre demande attend qu'un budget se libère. Nous vous écrirons."), OPEN
    ),
    State.UNDER_REVIEW: _info(
        "fr-badge--info",
        _("Un conseiller examine votre demande. Vous n'avez rien à faire."),
        OPEN,
        REVIEW,
        BEFORE_DECISION,
    ),
    State.INFO_REQUESTED: _info(
        "fr-badge--warning",
        _("Le conseiller vous pose une question : répondez-lui."),
        OPEN,
        REVIEW,
        BEFORE_DECISION,
    ),
    State.APPROVED: _info(
        "fr-badge--success",
        _("Faites réaliser la prestation, payez-la, puis demandez le paiement du chèque."),
        OPEN,
        GRANTED,
    ),
    State.REJECTED: _info(
        "fr-badge--error", _("Votre demande n'a pas été retenue. Le motif est indiqué dans le dossier.")
    ),
    State.CLAIM_SUBMITTED: _info(
        "fr-badge--info",
        _("Un conseiller va vérifier votre facture. Vous n'avez rien à faire."),
        OPEN,
        REVIEW,
        GRANTED,
    ),
    State.CLAIM_UNDER_REVIEW: _info(
        "fr-badge--info",
        _("Un conseiller vérifie votre facture. Vous n'avez rien à faire."),
        OPEN,
        REVIEW,
        GRANTED,
    ),
    State.CLAIM_INFO_REQUESTED: _info(
        "fr-badge--warning", _("Le conseiller demande une pièce : répondez-lui."), OPEN, REVIEW, GRANTED
    ),
    State.CLAIM_APPROVED: _info(
        "fr-badge--success", _("Le paiement est validé. Le virement va partir."), OPEN, GRANTED
    ),
    State.PAID: _info("fr-badge--success", _("Le chèque est payé. Le dossier est terminé."), GRANTED),
    State.EXPIRED: _info("", _("Le chèque a expiré sans demande de paiement."), GRANTED),
    State.WITHDRAWN: _info("", _("Vous avez retiré cette demande.")),
    State.CLAWED_BACK: _info(
        "fr-badge--error", _("Un reversement vous est demandé : lisez le motif dans le dossier."), GRANTED
    ),
}


def accredited_provider_today():
    """The providers a draft may name: providers.models.accredited_today, by name (vouchers sit below
    providers and do not import them)."""
    return {"status": "accredited", "documents_valid_until__gte": timezone.localdate()}


def states_tagged(tag):
    """The states carrying `tag`, in the order of `State`."""
    return tuple(s for s in State if tag in STATE_INFO[s].tags)


OPEN_STATES = states_tagged(OPEN)
# A voucher the company was granted counts (towards the scheme's limit, the de minimis ceiling, the State-aid
# register), unless it expired unused: its right lapsed and nothing was paid.
COUNTED_VOUCHERS = tuple(s for s in states_tagged(GRANTED) if s != State.EXPIRED)
# Submitted and not finished: neither open nor a draft (refused, paid, expired, withdrawn, clawed back).
FINISHED_STATES = tuple(s for s in State if s not in OPEN_STATES and s != State.DRAFT)


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("L'entreprise ne remplit pas les conditions du dispositif")
    SPEND_NOT_ELIGIBLE = "spend_not_eligible", _("La dépense prévue n'est pas éligible")
    QUOTE_INVALID = "quote_invalid", _("Le devis est incomplet ou ne correspond pas au projet")
    INCOMPLETE = "incomplete", _("Le dossier est resté incomplet malgré nos demandes")
    DUPLICATE = "duplicate", _("Une autre demande existe déjà pour cette entreprise")
    OTHER = "other", _("Autre motif (précisé ci-dessous)")


# The files' documents by field, as their address names them (`vouchers:document`).
DOCUMENT_KINDS = {
    "quote": "devis",
    "bank_document": "rib",
    "invoice": "facture",
    "proof_of_payment": "justificatif",
    "register_extract": "extrait",
    "statement": "attestation",
}


class Application(models.Model):
    """A voucher file, from draft to payment: the application and, once approved, the voucher."""

    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="applications")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="applications")
    establishment = models.ForeignKey(
        "registry.Establishment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("état", max_length=32, choices=State.choices, default=State.DRAFT)

    declared_headcount = models.PositiveIntegerField("effectif salarié déclaré", null=True, blank=True)
    declared_turnover_cents = models.BigIntegerField("chiffre d'affaires déclaré", null=True, blank=True)
    # The de minimis aid the company itself received over the last 3 years (our vouchers aside: the
    # platform counts them itself, from their grant date).
    declared_de_minimis_cents = models.BigIntegerField(
        "aides de minimis reçues sur 3 ans", null=True, blank=True
    )
    # Whether the company forms a "single undertaking" with other companies (Regulation (EU) 2023/2831
    # art. 2(2)): None, not answered yet (files submitted before the question was asked, and new drafts);
    # the linked companies and their aid are the `linked_companies` rows.
    has_linked_companies = models.BooleanField("entreprises liées (entreprise unique)", null=True, blank=True)
    # The de minimis check as it ran at submission, then at approval (vouchers.deminimis.Check.as_dict()).
    de_minimis_check = models.JSONField("vérification de minimis", default=dict, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    account_holder = models.CharField("titulaire du compte", max_length=70, blank=True)
    bank_document = models.FileField("RIB (PDF)", upload_to="bank/%Y/%m/", blank=True)
    # Verification of payee of the IBAN against the registry's name (tremplin.authority.payee).
    payee_outcome = models.CharField("vérification du bénéficiaire", max_length=16, blank=True)
    # The IBAN the outcome and the advisor's confirmation are about: another IBAN is not verified.
    payee_checked_iban = models.CharField(max_length=34, blank=True)
    payee_holder_name = models.CharField("nom connu de la banque", max_length=140, blank=True)
    payee_checked_at = models.DateTimeField(null=True, blank=True)
    payee_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payee_confirmed_at = models.DateTimeField("compte confirmé par le conseiller le", null=True, blank=True)
    # The IBAN was changed after the voucher was granted: an advisor confirms it again.
    payee_changed_after_approval = models.BooleanField(default=False)

    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        limit_choices_to=accredited_provider_today,
    )
    spend_category = models.CharField("catégorie de dépense", max_length=32, blank=True)
    project_description = models.TextField("description du projet", blank=True)
    planned_spend_cents = models.BigIntegerField("dépense prévue HT", null=True, blank=True)
    quote = models.FileField("devis (PDF)", upload_to="quotes/%Y/%m/", blank=True)

    amount_cents = models.BigIntegerField("montant du chèque", null=True, blank=True)
    envelope = models.ForeignKey(
        "schemes.Envelope", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    reserved_cents = models.BigIntegerField("montant réservé", default=0)
    queue_rank = models.BigIntegerField("rang de réception", null=True, blank=True)
    eligibility = models.JSONField("vérification d'éligibilité", default=list, blank=True)
    rules_version = models.PositiveIntegerField(null=True, blank=True)
    # When "Vérifier mon dossier" last found the draft ready (services.check_draft); any change to the
    # draft clears it. The submission checks everything again all the same.
    checked_at = models.DateTimeField("dossier vérifié le", null=True, blank=True)

    # A contest by the company's representative: who, when, and the state the file is held from.
    contested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contested_at = models.DateTimeField(null=True, blank=True)
    held_from = models.CharField(max_length=32, blank=True)

    assigned_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    last_reminder_on = models.DateField("dernier rappel d'échéance", null=True, blank=True)

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state__in=[s.value for s in OPEN_STATES]),
                name="one_open_file_per_company",
            ),
            # Two clicks on "Demander le chèque" give one draft (services.create_draft resumes it).
            models.UniqueConstraint(
                fields=["owner", "company", "scheme"],
                condition=models.Q(state="draft"),
                name="one_draft_per_owner_company_scheme",
            ),
        ]
        indexes = [
            models.Index(fields=["envelope", "state", "queue_rank"]),
            models.Index(fields=["state", "valid_until"]),
            # The steering pages count the files opened, decided or paid in a period.
            models.Index(fields=["created_at"]),
            models.Index(fields=["decided_at"]),
        ]

    def __str__(self):
        return self.reference

    def document_url(self, field):
        """Where the platform serves this file's `field` after checking access (core.storage)."""
        return reverse("vouchers:document", args=[self.pk, DOCUMENT_KINDS[field]])

    @property
    def reference(self):
        year = self.created_at.year if self.created_at else ""
        return f"TN-{year}-{self.pk:06d}" if self.pk else "TN-nouveau"

    @property
    def payee_verified(self):
        """The account is the company's: the bank's MATCH on a French IBAN, or an advisor's confirmation
        since the last change."""
        if not self.iban or self.payee_checked_iban != self.iban:
            return False
        if self.payee_confirmed_at:
            return True
        return (
            self.payee_outcome == Outcome.MATCH
            and not is_foreign(self.iban)
            and not self.payee_changed_after_approval
        )

    @property
    def is_funded(self):
        return self.reserved_cents > 0

    def waitlist_position(self):
        """1-based position on the waiting list of its envelope, or None (`with_waitlist_position` counts
        it in the list's query)."""
        if self.state != State.WAITLISTED or self.queue_rank is None:
            return None
        ahead = getattr(self, "waiting_ahead", None)
        if ahead is None:
            ahead = Application.objects.filter(
                envelope_id=self.envelope_id, state=State.WAITLISTED, queue_rank__lt=self.queue_rank
            ).count()
        return ahead + 1


def with_waitlist_position(queryset):
    """The files with the number of waiting files ahead of each in its envelope, in the same query."""
    ahead = (
        Application.objects.filter(
            envelope_id=models.OuterRef("envelope_id"),
            state=State.WAITLISTED,
            queue_rank__lt=models.OuterRef("queue_rank"),
        )
        .order_by()
        .values("envelope_id")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        waiting_ahead=models.Case(
            models.When(state=State.WAITLISTED, then=Coalesce(models.Subquery(ahead), 0)),
            default=None,
            output_field=models.IntegerField(),
        )
    )


class LinkedCompany(models.Model):
    """A company the owner declares linked to theirs (one "single undertaking", Regulation (EU) 2023/2831
    art. 2(2)), and the de minimis aid it received over the last 3 years (our vouchers aside)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="linked_companies")
    siren = models.CharField("SIREN", max_length=9)
    # The registry's company when it holds the SIREN (else the SIREN alone identifies it).
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("nom", max_length=255, blank=True)
    de_minimis_cents = models.BigIntegerField("aides de minimis reçues sur 3 ans", default=0)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "entreprise liée"
        verbose_name_plural = "entreprises liées"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "siren"], name="one_line_per_linked_siren"),
            models.CheckConstraint(
                condition=models.Q(de_minimis_cents__gte=0), name="linked_aid_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["siren"])]

    def __str__(self):
        return f"{self.name or self.siren} ({self.siren})"


class Claim(models.Model):
    """The payment claim of an approved voucher: invoice, proof of payment, checks."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="claim")
    invoice = models.FileField("facture (PDF)", upload_to="invoices/%Y/%m/")
    proof_of_payment = models.FileField("justificatif de paiement (PDF)", upload_to="proofs/%Y/%m/")
    invoiced_spend_cents = models.BigIntegerField("montant facturé HT")
    invoice_number = models.CharField("numéro de facture", max_length=64, blank=True)
    # SHA-256 of the invoice PDF as received: the same file on two claims is a fraud flag.
    invoice_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    invoice_date = models.DateField("date de facture", null=True, blank=True)
    # What was read from a Factur-X invoice, and the checks that failed (reason strings).
    facturx = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    payable_cents = models.BigIntegerField("montant à payer", default=0)
    submitted_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField("validée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de paiement"
        verbose_name_plural = "demandes de paiement"

    def __str__(self):
        return f"Demande de paiement {self.application.reference}"

    def document_url(self, field):
        return reverse("vouchers:document", args=[self.application_id, DOCUMENT_KINDS[field]])

    @property
    def invoice_reading(self):
        """What reading the invoice found: "read" (Factur-X read, `flags` empty or not), "unreadable"
        (Factur-X data there but not read) or "plain" (a plain PDF: nothing was read)."""
        if not self.facturx.get("facturx"):
            return "plain"
        return "read" if self.facturx.get("readable") else "unreadable"


class Message(models.Model):
    """Exchange on a file: an advisor's request for information and the owner's answer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField("message")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.author} {self.at:%Y-%m-%d}"


class MessageAttachment(models.Model):
    """A file joined to a message (PDF, PNG or JPEG, checked by `core.validators.clean_attachments`)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")

    class Meta:
        ordering = ["id"]
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self):
        return self.original_name

    def document_url(self, field):
        return reverse("vouchers:attachment", args=[self.message.application_id, self.message_id, self.pk])
