from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentBatch(models.Model):
    """A SEPA credit transfer file (pain.001.001.03) grouping approved claims of one scheme.

    Only tremplin.payments.services changes a batch.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Préparé")
        PAID = "paid", _("Payé")
        CANCELLED = "cancelled", _("Annulé")

    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.PROTECT, related_name="payment_batches")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    # Also the SEPA MsgId: kept when the file is rebuilt, so the bank sees one file, never two.
    message_id = models.CharField(max_length=35, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    execution_date = models.DateField("date d'exécution demandée")
    xml_generated_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    total_cents = models.BigIntegerField(default=0)
    xml = models.BinaryField(blank=True)
    # Files left out of this batch and why (plain French), shown to the manager.
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "lot de paiement"
        verbose_name_plural = "lots de paiement"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message_id

    @property
    def filename(self):
        return f"{self.message_id}.xml"


class PaymentLine(models.Model):
    """One transfer of a batch. A claim is in at most one batch, so it is never paid twice."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    application = models.OneToOneField(
        "vouchers.Application", on_delete=models.PROTECT, related_name="payment_line"
    )
    amount_cents = models.BigIntegerField()
    creditor_name = models.CharField(max_length=70)
    creditor_iban = models.CharField(max_length=34)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    remittance_info = models.CharField(max_length=140)

    class Meta:
        verbose_name = "virement"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="payment_line_amount_positive"
            )
        ]

    def __str__(self):
        return self.end_to_end_id
