from django.db import models


class BudgetAlert(models.Model):
    """A threshold of an envelope's budget (percent committed) the managers were told about, once."""

    envelope = models.ForeignKey("schemes.Envelope", on_delete=models.CASCADE, related_name="budget_alerts")
    threshold = models.PositiveSmallIntegerField("seuil (%)")
    committed_cents = models.BigIntegerField("engagé au moment de l'alerte (centimes)")
    total_cents = models.BigIntegerField("montant total au moment de l'alerte (centimes)")
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "alerte budgétaire"
        verbose_name_plural = "alertes budgétaires"
        ordering = ["envelope_id", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["envelope", "threshold"], name="budget_alert_once"),
        ]

    def __str__(self):
        return f"{self.envelope_id} – {self.threshold} %"
