from django.db import models


class Organisation(models.Model):
    """An advisor organisation (CCI, CMA, incubator) and the départements it covers."""

    class Kind(models.TextChoices):
        CCI = "cci", "Chambre de commerce et d'industrie"
        CMA = "cma", "Chambre de métiers et de l'artisanat"
        INCUBATOR = "incubator", "Incubateur"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    departements = models.ManyToManyField(
        "registry.Departement", verbose_name="départements couverts", related_name="organisations"
    )

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self):
        return self.name
