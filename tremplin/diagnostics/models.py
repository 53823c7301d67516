from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tremplin.diagnostics import questionnaire
from tremplin.diagnostics.scoring import ADVANCED, AVERAGE, BASIC, MODERATE
from tremplin.schemes.models import SpendCategory


class Level(models.TextChoices):
    BASIC = BASIC, _("Débutant")
    AVERAGE = AVERAGE, _("Intermédiaire")
    MODERATE = MODERATE, _("Avancé")
    ADVANCED = ADVANCED, _("Très avancé")


class State(models.TextChoices):
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminé")


class Diagnostic(models.Model):
    """One digital maturity assessment of a company, answered screen by screen then scored once."""

    company = models.ForeignKey(
        "registry.Company", verbose_name=_("entreprise"), on_delete=models.PROTECT, related_name="diagnostics"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chef d'entreprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diagnostics",
    )
    # Set when an advisor runs the diagnostic with the owner: a "diagnostic" action of the network.
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conduit par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conducted_diagnostics",
    )
    version = models.CharField(
        _("version du questionnaire"), max_length=20, default=questionnaire.CURRENT.version
    )
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    created_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Scores, stored once at completion (two decimals; the level was decided on exact values).
    overall_score = models.DecimalField(
        _("score global"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices, blank=True)
    dimension_scores = models.JSONField(_("scores par thème"), default=dict, blank=True)
    question_scores = models.JSONField(_("scores par question"), default=dict, blank=True)
    # The peer groups it counts in, frozen at completion so statistics rebuild without joins.
    peer_section = models.CharField(max_length=1, blank=True)
    peer_band = models.CharField(max_length=5, blank=True)
    peer_region = models.CharField(max_length=3, blank=True)
    score_bucket = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        indexes = [
            models.Index(fields=["company", "state", "completed_at"]),
            models.Index(fields=["owner", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="in_progress") | models.Q(completed_at__isnull=False),
                name="diagnostic_completed_has_date",
            )
        ]

    def __str__(self):
        return f"Diagnostic {self.pk} – {self.company_id}"

    @property
    def questionnaire(self):
        return questionnaire.get(self.version)

    @property
    def is_completed(self):
        return self.state == State.COMPLETED

    def answered(self, dimension):
        return all(q.id in self.answers for q in dimension.questions)

    def first_unanswered_step(self):
        """1-based screen number of the first dimension not fully answered, or None."""
        for number, dimension in enumerate(self.questionnaire.dimensions, start=1):
            if not self.answered(dimension):
                return number
        return None


class PeerGroup(models.Model):
    """How many completed diagnostics a peer group holds (e.g. "s:C|b:1-9|r:84")."""

    key = models.CharField(max_length=40, unique=True)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("groupe de comparaison")
        verbose_name_plural = _("groupes de comparaison")

    def __str__(self):
        return f"{self.key} ({self.total})"


class PeerBucket(models.Model):
    """Histogram of overall scores of a peer group: how many diagnostics scored in [bucket, bucket + 1)."""

    group_key = models.CharField(max_length=40)
    bucket = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("répartition des scores")
        verbose_name_plural = _("répartitions des scores")
        constraints = [models.UniqueConstraint(fields=["group_key", "bucket"], name="peer_bucket_unique")]

    def __str__(self):
        return f"{self.group_key} [{self.bucket}] = {self.count}"


class RecommendationRule(models.Model):
    """When a diagnostic shows this weakness, suggest this action (data, edited in the admin)."""

    class Condition(models.TextChoices):
        DIMENSION_AT_MOST = "dimension_at_most", _("Score d'un thème inférieur ou égal au seuil")
        ITEM_MISSING = "item_missing", _("Case non cochée (ou activité ni faite ni prévue)")
        RATING_AT_MOST = "rating_at_most", _("Note d'une ligne inférieure ou égale au seuil")

    title = models.CharField(_("titre"), max_length=120)
    text = models.TextField(_("texte"), help_text=_("Ce que l'entreprise peut faire, en mots simples."))
    # The English texts are columns, not catalogue entries, so that editors change both languages here;
    # left empty, the English page shows the French text.
    title_en = models.CharField(_("titre en anglais"), max_length=120, blank=True)
    text_en = models.TextField(
        _("texte en anglais"), blank=True, help_text=_("Vide : la page en anglais montre le texte français.")
    )
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    dimension = models.CharField(
        _("thème"), max_length=12, choices=questionnaire.DIMENSION_CHOICES, blank=True
    )
    question = models.CharField(_("question"), max_length=4, blank=True, help_text=_("Exemple : q8"))
    item = models.CharField(_("ligne ou case"), max_length=30, blank=True, help_text=_("Exemple : backups"))
    threshold = models.DecimalField(
        _("seuil"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Score de thème (0 à 100) ou note d'une ligne (0 à 5 ; Non/En partie/Oui = 0/1/2)."),
    )
    benefit = models.PositiveSmallIntegerField(
        _("bénéfice attendu"), default=50, help_text=_("De 0 à 100 : les plus utiles s'affichent en premier.")
    )
    spend_categories = models.JSONField(
        _("dépenses éligibles liées"),
        default=list,
        blank=True,
        help_text=_("Valeurs des catégories de dépense."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle de recommandation")
        verbose_name_plural = _("règles de recommandation")
        ordering = ["-benefit", "pk"]

    def __str__(self):
        return self.title

    def _in_language(self, french, english):
        return english if english and (get_language() or "").startswith("en") else french

    @property
    def shown_title(self):
        """The title in the page's language: English when written, else the French."""
        return self._in_language(self.title, self.title_en)

    @property
    def shown_text(self):
        return self._in_language(self.text, self.text_en)

    def clean(self):
        errors = {}
        current = questionnaire.CURRENT
        if self.condition == self.Condition.DIMENSION_AT_MOST:
            if not self.dimension:
                errors["dimension"] = _("Choisissez le thème.")
            if self.threshold is None:
                errors["threshold"] = _("Indiquez le seuil, de 0 à 100. Exemple : 50")
        else:
            question = current.questions.get(self.question)
            if question is None:
                errors["question"] = _("Indiquez une question du questionnaire, de q1 à q11.")
            elif self.item not in question.item_ids:
                errors["item"] = _("Cette ligne n'existe pas dans la question choisie.")
            if self.condition == self.Condition.RATING_AT_MOST and self.threshold is None:
                errors["threshold"] = _("Indiquez la note maximale, de 0 à 5. Exemple : 1")
        unknown = [c for c in self.spend_categories or [] if c not in SpendCategory.values]
        if unknown:
            errors["spend_categories"] = _("Catégories de dépense inconnues : %(values)s") % {
                "values": ", ".join(map(str, unknown))
            }
        if errors:
            raise ValidationError(errors)
