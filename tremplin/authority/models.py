"""Who may act for a company (a legal representative, or the holder of their mandate), and how we know."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Capacity(models.TextChoices):
    REPRESENTATIVE = (
        "representative",
        _("Je suis son représentant légal (gérant, président…) ou l'entrepreneur individuel"),
    )
    MANDATE_HOLDER = (
        "mandate_holder",
        _("J'agis pour le représentant légal, qui m'a donné un mandat (comptable, conseiller, proche…)"),
    )


class Representation(models.Model):
    """One person's right to act for one company: what they declared and how it was established."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de vérification")
        VERIFIED = "verified", _("Vérifiée")
        REFUSED = "refused", _("Refusée")
        REVOKED = "revoked", _("Mandat révoqué")

    class Basis(models.TextChoices):
        NONE = "", _("Aucune")
        REGISTRY = "registry", _("Vérifiée au registre des entreprises")
        MANDATE = "mandate", _("Mandat donné par un représentant légal")
        ADVISOR = "advisor", _("Confirmée par un conseiller sur pièces")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="representations"
    )
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="representations")
    capacity = models.CharField("qualité déclarée", max_length=16, choices=Capacity.choices)
    given_names = models.CharField("prénoms", max_length=150)
    family_name = models.CharField("nom de famille", max_length=150)
    birth_date = models.DateField("date de naissance")
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.PENDING)
    basis = models.CharField("fondement", max_length=16, choices=Basis.choices, blank=True, default="")
    # What the registry said when it matched: the representative's role and the source.
    matched_role = models.CharField("qualité au registre", max_length=100, blank=True)
    matched_source = models.CharField("source", max_length=30, blank=True)
    checked_at = models.DateTimeField("vérifiée au registre le", null=True, blank=True)
    mandate = models.ForeignKey(
        "authority.Mandate", null=True, blank=True, on_delete=models.PROTECT, related_name="representations"
    )
    # The fallback when the registry cannot tell: an extract of less than 3 months and a signed statement.
    register_extract = models.FileField("extrait du registre (PDF)", upload_to="authority/%Y/%m/", blank=True)
    extract_issued_on = models.DateField("date de l'extrait", null=True, blank=True)
    statement = models.FileField("attestation signée (PDF)", upload_to="authority/%Y/%m/", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    checklist = models.JSONField("points vérifiés", default=list, blank=True)
    decision_note = models.TextField("note du conseiller", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "qualité pour agir"
        verbose_name_plural = "qualités pour agir"
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="one_representation_per_person")
        ]

    def __str__(self):
        return f"{self.given_names} {self.family_name} – {self.company_id}"

    def document_url(self, field):
        """The file's address on the latest voucher file this person made for the company, where the
        platform serves it after checking access (core.storage); None without such a file."""
        application = self.user.applications.filter(company_id=self.company_id).order_by("-pk").first()
        if application is None:
            return None
        return application.document_url(field)

    @property
    def is_verified(self):
        return self.status == self.Status.VERIFIED

    @property
    def has_documents(self):
        return bool(self.register_extract and self.statement)

    @property
    def outcome(self):
        """What the file shows: verified by registry / by mandate / confirmed by advisor / pending / …"""
        if self.status == self.Status.VERIFIED:
            return self.get_basis_display()
        return self.get_status_display()


class Mandate(models.Model):
    """A legal representative lets someone act for the company on the platform, until revoked."""

    class Kind(models.TextChoices):
        ACCOUNTANT = "accountant", _("Expert-comptable")
        ADVISOR = "advisor", _("Conseiller (chambre consulaire, association…)")
        FAMILY = "family", _("Membre de la famille")
        EMPLOYEE = "employee", _("Salarié de l'entreprise")
        OTHER = "other", _("Autre")

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="mandates")
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates_given"
    )
    holder_email = models.EmailField("adresse électronique de la personne mandatée")
    holder_name = models.CharField("nom de la personne mandatée", max_length=150)
    kind = models.CharField("lien avec l'entreprise", max_length=16, choices=Kind.choices)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "mandat"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "holder_email"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_mandate_per_holder",
            )
        ]

    def __str__(self):
        return f"Mandat {self.company_id} → {self.holder_email}"

    def is_active(self, on):
        return self.revoked_at is None and (self.valid_until is None or self.valid_until >= on)
