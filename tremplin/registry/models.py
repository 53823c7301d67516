from datetime import date

from django.db import models


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class NafSection(models.Model):
    code = models.CharField("section", max_length=1, primary_key=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "section NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} - {self.label}"


class NafCode(models.Model):
    """NAF rev. 2 sub-class, e.g. 62.01Z."""

    code = models.CharField("code", max_length=6, primary_key=True)
    label = models.CharField("libellé", max_length=255)
    section = models.ForeignKey(NafSection, on_delete=models.PROTECT, related_name="codes")

    class Meta:
        verbose_name = "code NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} - {self.label}"


class Diffusion(models.TextChoices):
    PUBLIC = "O", "Diffusible"
    PARTIAL = "P", "Partiellement diffusible"


class Company(models.Model):
    """A legal unit (unité légale) from SIRENE, with its head office's location."""

    class State(models.TextChoices):
        ACTIVE = "A", "Active"
        CEASED = "C", "Cessée"

    siren = models.CharField("SIREN", max_length=9, unique=True)
    diffusion = models.CharField(max_length=1, choices=Diffusion.choices, default=Diffusion.PUBLIC)
    created_on = models.DateField("date de création", null=True, blank=True)
    acronym = models.CharField("sigle", max_length=100, blank=True)
    # For sole traders; empty when SIRENE marks them non-diffusible.
    last_name = models.CharField("nom", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    denomination = models.CharField("dénomination", max_length=255, blank=True)
    headcount_bracket = models.CharField("tranche d'effectifs", max_length=2, blank=True)
    headcount_year = models.PositiveSmallIntegerField(null=True, blank=True)
    category = models.CharField("catégorie d'entreprise", max_length=3, blank=True)
    state = models.CharField("état", max_length=1, choices=State.choices, default=State.ACTIVE)
    legal_form = models.CharField("catégorie juridique", max_length=4, blank=True)
    naf_code = models.CharField("code NAF (rév. 2)", max_length=6, blank=True, db_index=True)
    naf_nomenclature = models.CharField(max_length=8, blank=True)
    naf2025_code = models.CharField("code NAF 2025", max_length=6, blank=True)
    head_office_nic = models.CharField(max_length=5, blank=True)
    head_office_postal_code = models.CharField(max_length=5, blank=True)
    head_office_commune_code = models.CharField(max_length=5, blank=True)
    departement = models.ForeignKey(
        Departement, null=True, blank=True, on_delete=models.PROTECT, related_name="companies"
    )
    last_processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "entreprise"
        verbose_name_plural = "entreprises"
        indexes = [models.Index(fields=["departement", "naf_code"])]

    def __str__(self):
        return f"{self.display_name} ({self.siren})"

    @property
    def is_partially_hidden(self):
        return self.diffusion == Diffusion.PARTIAL

    @property
    def display_name(self):
        if self.denomination:
            return self.denomination
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        if name:
            return name
        return "Entreprise individuelle (nom non diffusible)"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE

    def age_in_months(self, on: date):
        if not self.created_on:
            return None
        months = (on.year - self.created_on.year) * 12 + on.month - self.created_on.month
        if on.day < self.created_on.day:
            months -= 1
        return months

    @property
    def region(self):
        return self.departement.region if self.departement else None


class Establishment(models.Model):
    """An establishment (SIRET) of a company."""

    class State(models.TextChoices):
        OPEN = "A", "Ouvert"
        CLOSED = "F", "Fermé"

    siret = models.CharField("SIRET", max_length=14, unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="establishments")
    nic = models.CharField(max_length=5)
    diffusion = models.CharField(max_length=1, choices=Diffusion.choices, default=Diffusion.PUBLIC)
    is_head_office = models.BooleanField("siège", default=False)
    state = models.CharField(max_length=1, choices=State.choices, default=State.OPEN)
    created_on = models.DateField(null=True, blank=True)
    sign_name = models.CharField("enseigne", max_length=100, blank=True)
    # Street address is empty when non-diffusible; the commune always stays visible.
    street = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune_code = models.CharField("code commune", max_length=5, blank=True)
    commune_name = models.CharField("commune", max_length=100, blank=True)
    naf_code = models.CharField(max_length=6, blank=True)
    headcount_bracket = models.CharField(max_length=2, blank=True)

    class Meta:
        verbose_name = "établissement"

    def __str__(self):
        return self.siret
