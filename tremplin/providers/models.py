from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.schemes.models import SpendCategory


class Status(models.TextChoices):
    """Accreditation (habilitation) of a provider; only ACCREDITED may be chosen in a new application."""

    REQUESTED = "requested", _("Demande d'habilitation déposée")
    UNDER_REVIEW = "under_review", _("Habilitation en cours d'examen")
    ACCREDITED = "accredited", _("Habilité")
    SUSPENDED = "suspended", _("Habilitation suspendue")
    EXPIRED = "expired", _("Habilitation expirée")
    REFUSED = "refused", _("Habilitation refusée")


def accredited_today():
    """The lookup of the providers accredited today: the decision (status) and documents still valid.

    Also `vouchers.Application.provider`'s `limit_choices_to`, by name (vouchers sit below providers)."""
    return {"status": Status.ACCREDITED, "documents_valid_until__gte": timezone.localdate()}


class ProviderQuerySet(models.QuerySet):
    def accredited(self):
        """The providers a business may choose today (directory, recommendations, new applications)."""
        return self.filter(**accredited_today())


class Provider(models.Model):
    """A digital service provider (prestataire), its accreditation and its public profile.

    Only the accreditation workflow (tremplin.providers.accreditation) changes `status`.
    """

    siret = models.CharField("SIRET", max_length=14, unique=True)
    name = models.CharField("raison sociale", max_length=200)
    status = models.CharField(
        "habilitation", max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    status_changed_at = models.DateTimeField("habilitation modifiée le", null=True, blank=True)
    # The last day on which the URSSAF certificate and the insurance are both valid (empty when one is
    # missing): an accredited provider stops being offered the day after, whether or not the daily job
    # that records the expiry has run. Kept by refresh_documents_valid_until().
    documents_valid_until = models.DateField(
        "pièces d'habilitation valables jusqu'au", null=True, blank=True, editable=False
    )
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    description = models.TextField("présentation", blank=True)
    website = models.URLField("site internet", blank=True)
    email = models.EmailField("adresse électronique de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    departement = models.ForeignKey(
        "registry.Departement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trading_since = models.DateField("en activité depuis", null=True, blank=True)
    similar_turnover_cents = models.BigIntegerField(
        "chiffre d'affaires sur des projets similaires (3 dernières années)", null=True, blank=True
    )
    # Lower-case, accent-free text of the name, place, presentation and offers: the directory
    # searches it with LIKE, the same way on SQLite and PostgreSQL (a pg_trgm GIN index serves it
    # on PostgreSQL, see migration 0003). Kept by search.refresh_directory.
    search_text = models.TextField(blank=True)
    rating_avg = models.DecimalField("note moyenne", max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField("nombre d'avis", default=0)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = "prestataire"
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "rating_avg"])]

    def __str__(self):
        return self.name

    @property
    def accredited(self):
        """Accredited by decision and, today, with a valid URSSAF certificate and insurance."""
        return (
            self.status == Status.ACCREDITED
            and self.documents_valid_until is not None
            and self.documents_valid_until >= timezone.localdate()
        )

    @property
    def shown_status(self):
        """The status pages show: an accreditation whose documents lapsed is shown as expired."""
        if self.status == Status.ACCREDITED and not self.accredited:
            return Status.EXPIRED
        return self.status

    @property
    def status_label(self):
        return Status(self.shown_status).label

    def refresh_documents_valid_until(self):
        """Recompute `documents_valid_until` from the documents (after one is added, changed or removed)."""
        latest = {}
        for kind, expires_on in self.documents.filter(kind__in=REQUIRED_DOCUMENT_KINDS).values_list(
            "kind", "expires_on"
        ):
            expires_on = expires_on or date.max  # a document without end date stays valid
            latest[kind] = max(latest.get(kind, expires_on), expires_on)
        valid_until = min(latest.values()) if len(latest) == len(REQUIRED_DOCUMENT_KINDS) else None
        Provider.objects.filter(pk=self.pk).update(documents_valid_until=valid_until)
        self.documents_valid_until = valid_until

    @property
    def siren(self):
        return self.siret[:9]


class AccreditationCriterion(models.Model):
    """One accreditation condition, as data; scheme empty = applies to every scheme."""

    class Kind(models.TextChoices):
        MIN_SIMILAR_TURNOVER = (
            "min_similar_turnover",
            _("Chiffre d'affaires minimal sur des projets similaires"),
        )
        MIN_YEARS_TRADING = "min_years_trading", _("Ancienneté minimale")
        MIN_REFERENCES = "min_references", _("Nombre minimal de références clients")

    scheme = models.ForeignKey(
        "schemes.Scheme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accreditation_criteria",
    )
    kind = models.CharField("critère", max_length=32, choices=Kind.choices)
    params = models.JSONField("paramètres", default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "critère d'habilitation"
        verbose_name_plural = "critères d'habilitation"
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.params}"


class Document(models.Model):
    """A supporting document of the accreditation, with its expiry date."""

    class Kind(models.TextChoices):
        URSSAF = "urssaf", _("Attestation de vigilance URSSAF")
        INSURANCE = "insurance", _("Attestation d'assurance responsabilité civile professionnelle")
        REFERENCE = "reference", _("Référence client (attestation de bonne exécution)")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type de document", max_length=16, choices=Kind.choices)
    file = models.FileField("document (PDF)", upload_to="providers/documents/%Y/%m/")
    label = models.CharField("intitulé", max_length=200, blank=True)
    expires_on = models.DateField("valable jusqu'au", null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_on = models.DateField("rappel de renouvellement envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "pièce d'habilitation"
        verbose_name_plural = "pièces d'habilitation"
        ordering = ["kind", "-expires_on", "-id"]
        indexes = [models.Index(fields=["kind", "expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.provider}"

    def document_url(self, field):
        """Where the platform serves the file after checking access (core.storage)."""
        return reverse("providers:document_file", args=[self.pk])


# The documents an accreditation needs, valid, for as long as it lasts.
REQUIRED_DOCUMENT_KINDS = (Document.Kind.URSSAF, Document.Kind.INSURANCE)


class Offer(models.Model):
    """A catalogue offer: one category, a price range in cents, where and how fast, and the exit terms."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers")
    category = models.CharField("catégorie", max_length=32, choices=SpendCategory.choices)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    price_min_cents = models.PositiveBigIntegerField("prix minimal HT (centimes)")
    price_max_cents = models.PositiveBigIntegerField("prix maximal HT (centimes)")
    delivery_days = models.PositiveSmallIntegerField("délai de réalisation (jours)")
    reversibility = models.TextField("engagement de réversibilité")
    departements = models.ManyToManyField(
        "registry.Departement", verbose_name="départements desservis", related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "offre"
        ordering = ["category", "price_min_cents", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_min_cents__lte=models.F("price_max_cents")),
                name="offer_price_range_ordered",
            )
        ]
        indexes = [
            models.Index(fields=["provider", "category"]),
            models.Index(fields=["category", "price_min_cents"]),
        ]

    def __str__(self):
        return self.title


class Coverage(models.Model):
    """The directory's index of the offers: one row per provider, category and département served,
    with the lowest starting price of the offers behind it.

    Filtering on it keeps the "same offer" meaning of category + département + budget while staying
    a single indexed lookup. Rebuilt from the offers by search.refresh_directory.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="coverage", db_index=False)
    category = models.CharField(max_length=32, choices=SpendCategory.choices)
    departement = models.ForeignKey(
        "registry.Departement", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    price_min_cents = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "couverture de l'annuaire"
        verbose_name_plural = "couvertures de l'annuaire"
        indexes = [
            models.Index(fields=["provider", "category", "departement", "price_min_cents"]),
            models.Index(fields=["departement", "category", "price_min_cents"]),
            models.Index(fields=["category", "price_min_cents"]),
        ]

    def __str__(self):
        return f"{self.provider_id} {self.category} {self.departement_id}"


class QuoteRequest(models.Model):
    """An owner asks up to 3 providers for a quote for one of their draft applications."""

    class State(models.TextChoices):
        OPEN = "open", _("En attente des devis")
        CLOSED = "closed", _("Devis choisi")
        CANCELLED = "cancelled", _("Annulée")

    application = models.ForeignKey(
        "vouchers.Application", on_delete=models.CASCADE, related_name="quote_requests"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField("catégorie", max_length=32, choices=SpendCategory.choices)
    description = models.TextField("description du besoin")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "demande de devis"
        verbose_name_plural = "demandes de devis"
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(state="open"), name="one_open_quote_request"
            )
        ]

    def __str__(self):
        return f"Demande de devis {self.pk}"


class Quote(models.Model):
    """One provider's side of a quote request: asked, then answered (PDF + amount), then chosen or not."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("À répondre")
        ANSWERED = "answered", _("Devis envoyé")
        DECLINED = "declined", _("Décliné")
        CHOSEN = "chosen", _("Retenu")
        NOT_CHOSEN = "not_chosen", _("Non retenu")

    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="quotes")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="quotes")
    state = models.CharField(max_length=16, choices=State.choices, default=State.REQUESTED, db_index=True)
    category = models.CharField("catégorie", max_length=32, choices=SpendCategory.choices, blank=True)
    amount_cents = models.BigIntegerField("montant HT (centimes)", null=True, blank=True)
    file = models.FileField("devis (PDF)", upload_to="providers/quotes/%Y/%m/", blank=True)
    message = models.TextField("message", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Price inflation check, computed when the quote is answered (shown to advisors).
    catalogue_max_cents = models.BigIntegerField(null=True, blank=True)
    above_catalogue = models.BooleanField("au-dessus du catalogue", default=False)

    class Meta:
        verbose_name = "devis"
        verbose_name_plural = "devis"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="one_quote_per_provider"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__isnull=True) | models.Q(amount_cents__gt=0),
                name="quote_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["provider", "state"])]

    def __str__(self):
        return f"Devis {self.pk} – {self.provider}"

    def document_url(self, field):
        return reverse("providers:quote_file", args=[self.pk])


class Review(models.Model):
    """An owner's review of a provider, after a paid voucher: one per voucher."""

    class State(models.TextChoices):
        PUBLISHED = "published", _("Publié")
        HIDDEN = "hidden", _("Masqué par la modération")

    application = models.OneToOneField(
        "vouchers.Application", on_delete=models.PROTECT, related_name="review"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quality = models.PositiveSmallIntegerField("qualité de la prestation")
    deadlines = models.PositiveSmallIntegerField("respect des délais")
    communication = models.PositiveSmallIntegerField("écoute et explications")
    text = models.TextField("avis")
    is_complaint = models.BooleanField("signalement d'un problème grave", default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    moderation_reason = models.TextField(blank=True)
    answer = models.TextField("réponse du prestataire", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    CRITERIA = ("quality", "deadlines", "communication")

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    quality__gte=1,
                    quality__lte=5,
                    deadlines__gte=1,
                    deadlines__lte=5,
                    communication__gte=1,
                    communication__lte=5,
                ),
                name="review_stars_1_to_5",
            )
        ]

    def __str__(self):
        return f"Avis {self.pk} – {self.provider}"

    @property
    def average(self):
        return round((self.quality + self.deadlines + self.communication) / 3, 1)


class QualityThreshold(models.Model):
    """A limit on a quality signal; crossing it flags the provider for review."""

    class Metric(models.TextChoices):
        CLAIM_INFO_REQUEST_RATE = "claim_info_request_rate", _("Part des paiements avec pièces demandées")
        QUOTE_TO_INVOICE_DAYS = "quote_to_invoice_days", _("Délai moyen entre devis et facture (jours)")
        MIN_RATING = "min_rating", _("Note moyenne minimale")
        COMPLAINTS = "complaints", _("Nombre de signalements")
        QUOTE_ABOVE_CATALOGUE = (
            "quote_above_catalogue",
            _("Devis au-delà du prix maximal du catalogue (ratio)"),
        )

    metric = models.CharField("indicateur", max_length=32, choices=Metric.choices, unique=True)
    limit = models.DecimalField("seuil", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "seuil de qualité"
        verbose_name_plural = "seuils de qualité"

    def __str__(self):
        return f"{self.get_metric_display()} : {self.limit}"
