from django.db import models


class Provider(models.Model):
    """A digital service provider. The full directory comes with its own issue."""

    siret = models.CharField("SIRET", max_length=14, unique=True)
    name = models.CharField("raison sociale", max_length=200)
    accredited = models.BooleanField("habilité", default=False)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)

    class Meta:
        verbose_name = "prestataire"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def siren(self):
        return self.siret[:9]
