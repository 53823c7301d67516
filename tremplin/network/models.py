from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.core.workflow import StateInfo


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


class Theme(models.Model):
    """A subject a business can ask about (site internet, cybersécurité...)."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)

    class Meta:
        verbose_name = "thème"
        ordering = ["label"]

    def __str__(self):
        return self.label


class Antenna(models.Model):
    """A local office of an organisation. It covers its communes when it lists some, else its départements."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.CASCADE, related_name="antennas"
    )
    name = models.CharField("nom", max_length=200)
    departements = models.ManyToManyField(
        "registry.Departement", verbose_name="départements couverts", related_name="antennas", blank=True
    )
    communes = models.ManyToManyField(
        "registry.Commune",
        verbose_name="communes couvertes",
        related_name="antennas",
        blank=True,
        help_text="Laissez vide pour couvrir tous les départements de l'antenne.",
    )
    themes = models.ManyToManyField(
        Theme,
        verbose_name="thèmes traités par toute l'antenne",
        related_name="antennas",
        blank=True,
    )

    class Meta:
        verbose_name = "antenne"
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="antenna_unique_name")]

    def __str__(self):
        return f"{self.organisation.name} – {self.name}"


class AdvisorProfile(models.Model):
    """What routing needs to know about an advisor: antenna, specialties, still taking requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisor_profile"
    )
    antenna = models.ForeignKey(
        Antenna, verbose_name="antenne", on_delete=models.PROTECT, related_name="advisors"
    )
    specialties = models.ManyToManyField(
        Theme, verbose_name="spécialités", related_name="advisors", blank=True
    )
    active = models.BooleanField("reçoit des demandes", default=True)

    class Meta:
        verbose_name = "profil de conseiller"
        verbose_name_plural = "profils de conseillers"

    def __str__(self):
        return str(self.user)


class OrganisationFilter(models.Model):
    """A rule restricting which companies an organisation takes (data, evaluated by routing.passes)."""

    class Kind(models.TextChoices):
        NAF_PREFIXES_IN = "naf_prefixes_in", "Codes NAF acceptés (début du code)"
        NAF_PREFIXES_OUT = "naf_prefixes_out", "Codes NAF exclus (début du code)"
        MAX_HEADCOUNT_BRACKET = "max_headcount_bracket", "Tranche d'effectifs maximale"
        MIN_COMPANY_AGE_MONTHS = "min_company_age_months", "Âge minimal de l'entreprise (mois)"
        LEGAL_FORMS_IN = "legal_forms_in", "Catégories juridiques acceptées (début du code)"
        LEGAL_FORMS_OUT = "legal_forms_out", "Catégories juridiques exclues (début du code)"

    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.CASCADE, related_name="filters"
    )
    kind = models.CharField("règle", max_length=32, choices=Kind.choices)
    params = models.JSONField(
        "paramètres",
        default=dict,
        help_text='Par exemple {"prefixes": ["62", "63"]}, {"max": "11"} ou {"months": 6}.',
    )

    class Meta:
        verbose_name = "filtre d'organisation"
        verbose_name_plural = "filtres d'organisation"

    def __str__(self):
        return f"{self.organisation} : {self.get_kind_display()}"


class RequestStatus(models.TextChoices):
    """Status of a request, always computed from its matches (see Request.status)."""

    NATIONAL_QUEUE = "national_queue", _("En attente d'orientation nationale")
    PENDING = "pending", _("En attente de prise en charge")
    TAKING_CARE = "taking_care", _("Prise en charge")
    DONE = "done", _("Accompagnée")
    NOT_REACHABLE = "not_reachable", _("Entreprise injoignable")
    NO_HELP = "no_help", _("Sans aide possible")
    ARCHIVED = "archived", _("Archivée")


class Request(models.Model):
    """A business's need (theme + free text), routed to 1-3 advisors through matches."""

    siret = models.CharField("SIRET", max_length=14)
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="network_requests"
    )
    email = models.EmailField("adresse électronique")
    # Optional, as `core.validators.clean_phone` returns it (10 digits); shown only to the advisors the
    # request was sent to (never in the API, the emails or the admin).
    phone = models.CharField("téléphone", max_length=10, blank=True)
    theme = models.ForeignKey(Theme, verbose_name="thème", on_delete=models.PROTECT, related_name="requests")
    description = models.TextField("besoin")
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune_code = models.CharField("code commune", max_length=5, blank=True)
    departement = models.ForeignKey(
        "registry.Departement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="network_requests",
    )
    in_registry = models.BooleanField("trouvée au répertoire SIRENE", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    touched_at = models.DateTimeField("dernière activité", auto_now_add=True)
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande d'accompagnement"
        verbose_name_plural = "demandes d'accompagnement"
        indexes = [models.Index(fields=["archived_at", "touched_at"])]

    def __str__(self):
        return f"Demande {self.pk} ({self.siret})"

    @property
    def reference(self):
        """What the company quotes when it calls: "DA-2026-000042" (demande d'accompagnement)."""
        return f"DA-{self.created_at:%Y}-{self.pk:06d}"

    @property
    def phone_display(self):
        """ "0612345678" -> "06 12 34 56 78"."""
        return " ".join(self.phone[i : i + 2] for i in range(0, len(self.phone), 2))

    @property
    def status(self):
        """Computed from the matches (prefetch `matches` on lists to avoid one query per row)."""
        return request_status(self.archived_at, [m.state for m in self.matches.all()])


class MatchState(models.TextChoices):
    PENDING = "pending", _("À prendre en charge")
    TAKING_CARE = "taking_care", _("Prise en charge")
    DONE = "done", _("Accompagnement réalisé")
    NO_HELP = "no_help", _("Pas d'aide possible")
    NOT_REACHABLE = "not_reachable", _("Entreprise injoignable")
    NOT_FOR_ME = "not_for_me", _("Pas pour moi")


OPEN, DECLINED = "open", "declined"

# The sets each state belongs to, declared once (the pages show a match's state by its label only):
# open: the advisor still has to act; it counts in their caseload and a manager may reassign it;
# declined: the advisor said it is not for them, so the request is not held by their organisation.
MATCH_STATE_INFO = {
    MatchState.PENDING: StateInfo(tags=frozenset({OPEN})),
    MatchState.TAKING_CARE: StateInfo(tags=frozenset({OPEN})),
    MatchState.DONE: StateInfo(),
    MatchState.NO_HELP: StateInfo(),
    MatchState.NOT_REACHABLE: StateInfo(),
    MatchState.NOT_FOR_ME: StateInfo(tags=frozenset({DECLINED})),
}


def match_states_tagged(tag):
    """The match states carrying `tag`, in the order of `MatchState`."""
    return tuple(s for s in MatchState if tag in MATCH_STATE_INFO[s].tags)


OPEN_MATCH_STATES = match_states_tagged(OPEN)
DECLINED_MATCH_STATES = match_states_tagged(DECLINED)

# Most advanced first: the request shows the furthest any advisor went.
_STATUS_ORDER = [
    (MatchState.DONE, RequestStatus.DONE),
    (MatchState.TAKING_CARE, RequestStatus.TAKING_CARE),
    (MatchState.PENDING, RequestStatus.PENDING),
    (MatchState.NOT_REACHABLE, RequestStatus.NOT_REACHABLE),
    (MatchState.NO_HELP, RequestStatus.NO_HELP),
]


def request_status(archived_at, match_states) -> str:
    if archived_at:
        return RequestStatus.ARCHIVED
    states = set(match_states)
    for match_state, status in _STATUS_ORDER:
        if match_state in states:
            return status
    return RequestStatus.NATIONAL_QUEUE


class Match(models.Model):
    """A request sent to one advisor."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="matches")
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="conseiller", on_delete=models.PROTECT, related_name="matches"
    )
    state = models.CharField("état", max_length=16, choices=MatchState.choices, default=MatchState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The first time an advisor took the request in charge through this match (kept on reassignment):
    # the network's "taken care of within 5 days" counts from it (tremplin.steering.network).
    taken_care_at = models.DateTimeField("prise en charge le", null=True, blank=True)
    # How many of the 9/21/45-day reminders were sent, so each threshold fires once.
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "mise en relation"
        verbose_name_plural = "mises en relation"
        # Caseloads are counted per advisor on open states: an index-only count, never a table scan.
        indexes = [
            models.Index(fields=["advisor", "state"]),
            models.Index(fields=["state", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "advisor"], name="match_once_per_advisor"),
        ]

    def __str__(self):
        return f"{self.request} → {self.advisor}"


class ActionKind(models.TextChoices):
    AWARENESS = "awareness", _("Sensibilisation")
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    COACHING = "coaching", _("Accompagnement")


class AwarenessSession(models.Model):
    on = models.DateField("date")
    theme = models.ForeignKey(Theme, verbose_name="thème", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("intitulé", max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="conseiller organisateur",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "session de sensibilisation"
        verbose_name_plural = "sessions de sensibilisation"
        ordering = ["-on"]

    def __str__(self):
        return f"{self.title} ({self.on})"


class CoachingSession(models.Model):
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="conseiller", on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey("registry.Company", verbose_name="entreprise", on_delete=models.PROTECT)
    on = models.DateField("date")
    hours = models.DecimalField("durée (heures)", max_digits=5, decimal_places=2)
    topic = models.CharField("sujet", max_length=200)

    class Meta:
        verbose_name = "séance d'accompagnement"
        verbose_name_plural = "séances d'accompagnement"
        ordering = ["-on"]

    def __str__(self):
        return f"{self.topic} ({self.on})"


class Action(models.Model):
    """One contact of an advisor with a company: the action log reach is computed from.

    Organisation and département are copied at logging time so that reach stays true
    to who did what where, even after an advisor moves or a company relocates.
    """

    kind = models.CharField("type", max_length=16, choices=ActionKind.choices)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="conseiller", on_delete=models.PROTECT, related_name="actions"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    company = models.ForeignKey(
        "registry.Company", verbose_name="entreprise", on_delete=models.PROTECT, related_name="actions"
    )
    departement = models.ForeignKey(
        "registry.Departement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField("date")
    awareness_session = models.ForeignKey(
        AwarenessSession, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    coaching_session = models.OneToOneField(
        CoachingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="action"
    )
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "action"
        indexes = [models.Index(fields=["company", "on", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["awareness_session", "company"], name="action_one_attendance_per_company"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"
