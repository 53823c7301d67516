import uuid
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SpendCategory(models.TextChoices):
    WEBSITE = "website", _("Site internet")
    ECOMMERCE = "ecommerce", _("Vente en ligne, paiement ou réservation en ligne")
    SOCIAL_MARKETING = "social_marketing", _("Réseaux sociaux et marketing en ligne")
    SEARCH_ADS = "search_ads", _("Publicité sur les moteurs de recherche")
    BUSINESS_SOFTWARE = "business_software", _("Logiciels de gestion (ERP, CRM, facturation)")
    CYBERSECURITY = "cybersecurity", _("Cybersécurité et sauvegarde")
    TRAINING = "training", _("Formation au numérique")
    STRATEGY = "strategy", _("Conseil en stratégie numérique")


class Scheme(models.Model):
    """A voucher scheme (dispositif): amounts, window, allocation policy, payee and rules."""

    class Allocation(models.TextChoices):
        FCFS = "fcfs", _("Premier arrivé, premier servi (avec liste d'attente)")
        LOTTERY = "lottery", _("Période de dépôt puis tirage au sort")

    class Payee(models.TextChoices):
        BUSINESS = "business", _("L'entreprise (remboursement)")
        PROVIDER = "provider", _("Le prestataire (cession de créance)")

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField("présentation", blank=True)
    rate = models.DecimalField(
        "taux de prise en charge (%)", max_digits=5, decimal_places=2, default=Decimal("50")
    )
    cap_cents = models.PositiveBigIntegerField("plafond (centimes)", default=250_000)
    min_spend_cents = models.PositiveBigIntegerField("dépense minimale HT (centimes)", default=50_000)
    spend_categories = models.JSONField("catégories de dépenses éligibles", default=list)
    # Drafts can be started and checked from here on, so that opening day is only the click on "Déposer".
    preregistration_opens_at = models.DateTimeField(
        "début de la préinscription",
        null=True,
        blank=True,
        help_text=(
            "Facultatif. À partir de cette date, les entreprises peuvent préparer leur demande et la faire "
            "vérifier ; le dépôt reste fermé jusqu'à l'ouverture des dépôts. Doit précéder l'ouverture."
        ),
    )
    window_opens_at = models.DateTimeField("ouverture des dépôts")
    window_closes_at = models.DateTimeField("clôture des dépôts")
    validity_days = models.PositiveIntegerField("durée de validité du chèque (jours)", default=180)
    payee = models.CharField("bénéficiaire du paiement", max_length=16, choices=Payee.choices)
    allocation = models.CharField("attribution", max_length=16, choices=Allocation.choices)
    lottery_seed = models.CharField("graine du tirage (publiée)", max_length=64, blank=True)
    lottery_drawn_at = models.DateTimeField("tirage effectué le", null=True, blank=True)
    rules_version = models.PositiveIntegerField("version des règles", default=1)
    # Drawn again whenever one of the scheme's rules is saved or deleted (signals below): with the
    # version, it names the rules as they are, so every process may keep them in memory.
    rules_token = models.UUIDField(default=uuid.uuid4, editable=False)
    review_sla_days = models.PositiveIntegerField("délai cible d'instruction (jours)", default=15)
    payment_target_days = models.PositiveIntegerField(
        "délai cible de paiement (jours)",
        default=30,
        validators=[MinValueValidator(1)],
        help_text=(
            "Nombre de jours entre la validation de la demande de paiement et le virement. L'entreprise voit "
            "la date qui en découle (reportée au lundi si elle tombe un week-end) tant que son dossier n'est "
            "pas dans un lot de virements ; ensuite, elle voit la date d'exécution du lot."
        ),
    )

    class Meta:
        verbose_name = "dispositif"
        ordering = ["-window_opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preregistration_opens_at__isnull=True)
                | models.Q(preregistration_opens_at__lt=models.F("window_opens_at")),
                name="preregistration_before_opening",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.window_opens_at and self.window_closes_at and self.window_closes_at <= self.window_opens_at:
            raise ValidationError({"window_closes_at": "La clôture des dépôts doit suivre leur ouverture."})
        if (
            self.preregistration_opens_at
            and self.window_opens_at
            and self.preregistration_opens_at >= self.window_opens_at
        ):
            raise ValidationError(
                {"preregistration_opens_at": "La préinscription doit commencer avant l'ouverture des dépôts."}
            )

    def is_open(self, at=None):
        """Submissions are received now."""
        at = at or timezone.now()
        return self.window_opens_at <= at < self.window_closes_at

    def in_preregistration(self, at=None):
        """Drafts can be prepared and checked, but not submitted yet."""
        at = at or timezone.now()
        return (
            self.preregistration_opens_at is not None
            and self.preregistration_opens_at <= at < self.window_opens_at
        )

    def takes_drafts(self, at=None):
        """An owner may start a draft now: during pre-registration or while submissions are open."""
        at = at or timezone.now()
        return self.in_preregistration(at) or self.is_open(at)

    @classmethod
    def taking_drafts_filter(cls, at=None):
        """`takes_drafts` as a queryset filter."""
        at = at or timezone.now()
        return models.Q(window_closes_at__gt=at) & (
            models.Q(window_opens_at__lte=at) | models.Q(preregistration_opens_at__lte=at)
        )

    def voucher_amount_cents(self, planned_spend_cents: int) -> int:
        """Rate × spend, rounded down to the cent, capped."""
        raw = (Decimal(planned_spend_cents) * self.rate / Decimal(100)).to_integral_value(ROUND_DOWN)
        return min(int(raw), self.cap_cents)

    def current_rules(self):
        return self.rules.filter(version=self.rules_version).order_by("position", "id")

    def rules_in_force(self):
        """The current rules, read once per process for each (version, token): the submission path.

        A tuple of rule objects, shared between callers: read them, never change them. A rule changed
        by `QuerySet.update()` or `bulk_create()` is not seen until the version changes (or a rule is
        saved): change rules with `save()`, or under a new version.
        """
        key = (self.pk, self.rules_version, self.rules_token)
        rules = _RULES_IN_FORCE.get(key)
        if rules is None:
            if len(_RULES_IN_FORCE) >= 1024:
                _RULES_IN_FORCE.clear()
            rules = _RULES_IN_FORCE[key] = tuple(self.current_rules())
        return rules


_RULES_IN_FORCE: dict[tuple, tuple] = {}


class EligibilityRule(models.Model):
    """One typed rule of a scheme's versioned rule list. Params depend on the kind."""

    class Kind(models.TextChoices):
        ACTIVE_IN_REGISTRY = "active_in_registry", _("Entreprise active au répertoire SIRENE")
        MAX_HEADCOUNT_BRACKET = "max_headcount_bracket", _("Tranche d'effectifs SIRENE maximale")
        MAX_DECLARED_HEADCOUNT = "max_declared_headcount", _("Effectif déclaré maximal")
        MAX_TURNOVER = "max_turnover", _("Chiffre d'affaires déclaré maximal")
        MIN_COMPANY_AGE = "min_company_age", _("Ancienneté minimale")
        EXCLUDED_LEGAL_FORMS = "excluded_legal_forms", _("Formes juridiques exclues")
        EXCLUDED_NAF = "excluded_naf", _("Activités (NAF) exclues")
        TERRITORIES = "territories", _("Territoires éligibles")
        DE_MINIMIS = "de_minimis", _("Plafond des aides de minimis")
        ONE_OPEN_VOUCHER = "one_open_voucher", _("Un seul chèque en cours par entreprise")
        MAX_VOUCHERS_PER_COMPANY = "max_vouchers_per_company", _("Nombre de chèques par entreprise")
        DIAGNOSTIC_COMPLETED = "diagnostic_completed", _("Diagnostic numérique réalisé récemment")
        SUPPORT_ACTION = "support_action", _("Sensibilisation ou diagnostic avec un conseiller")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules")
    version = models.PositiveIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "règle d'éligibilité"
        verbose_name_plural = "règles d'éligibilité"
        ordering = ["scheme", "version", "position"]

    def __str__(self):
        return f"{self.get_kind_display()} (v{self.version})"


class Envelope(models.Model):
    """Budget of a scheme for one région and one year, in integer cents.

    `committed` counts reservations, approved commitments and what was paid;
    `disbursed` is the paid part of it. Both only move through schemes.budget.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="envelopes")
    region = models.ForeignKey("registry.Region", on_delete=models.PROTECT, related_name="envelopes")
    year = models.PositiveSmallIntegerField("année")
    total_cents = models.BigIntegerField("montant total (centimes)")
    committed_cents = models.BigIntegerField("engagé (centimes)", default=0)
    disbursed_cents = models.BigIntegerField("payé (centimes)", default=0)
    # Receipt numbers are taken on the envelope row so they follow the order in
    # which submissions really reached the budget.
    receipt_counter = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "enveloppe"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "region", "year"], name="envelope_unique"),
            models.CheckConstraint(
                condition=models.Q(committed_cents__lte=models.F("total_cents")),
                name="envelope_not_overcommitted",
            ),
            models.CheckConstraint(
                condition=models.Q(committed_cents__gte=0, disbursed_cents__gte=0),
                name="envelope_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} – {self.region} – {self.year}"

    @property
    def available_cents(self):
        return self.total_cents - self.committed_cents


class LedgerEntry(models.Model):
    """Append-only budget movement. committed = Σ reserve − Σ release − Σ clawback."""

    class Kind(models.TextChoices):
        RESERVE = "reserve", "Réservation"
        COMMIT = "commit", "Engagement"
        RELEASE = "release", "Libération"
        DISBURSE = "disburse", "Paiement"
        CLAWBACK = "clawback", "Récupération"

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="ledger")
    application = models.ForeignKey("vouchers.Application", on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount_cents = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mouvement budgétaire"
        verbose_name_plural = "grand livre budgétaire"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gte=0), name="ledger_amount_positive")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_cents}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)
