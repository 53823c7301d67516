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


class Grain(models.TextChoices):
    DAY = "d", "jour"
    MONTH = "m", "mois"


class Dimensions(models.Model):
    """What the steering filters and the scope cut by: the département, the NAF section, the headcount
    bracket (a request's own département; '' for an unknown section or bracket)."""

    departement = models.ForeignKey(
        "registry.Departement", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    section = models.CharField(max_length=1, blank=True)
    bracket = models.CharField(max_length=2, blank=True)

    class Meta:
        abstract = True


class Cell(Dimensions):
    """One day's (or one month's) counts of one combination of dimensions: a period is read as its whole
    months plus the days at its two ends, so every figure over any run of days is exact."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the local (Paris) day, or the first day of the month

    class Meta:
        abstract = True
        # Every read names the three dimensions (a value, or ANY for a roll-up), then a run of days.
        indexes = [
            models.Index(fields=["departement", "section", "bracket", "grain", "day"], name="%(class)s_cell"),
            # A split by département over the whole nation reads the roll-up of the other two, every
            # département at once: the département is then a range, the other two and the grain are equal.
            models.Index(fields=["section", "bracket", "grain", "day"], name="%(class)s_by_dep"),
        ]


def _counter():
    return models.PositiveIntegerField(default=0, db_default=0)


class FunnelFact(Cell):
    """The funnel's cohorts: files by their opening day, with those that reached each stage since, and
    diagnostics by their completion day."""

    diagnostics = _counter()
    applications = _counter()
    submitted = _counter()
    approved = _counter()
    claimed = _counter()
    paid = _counter()

    def __str__(self):
        return f"{self.grain} {self.day} {self.departement_id} {self.section} {self.bracket}"


class Measure(models.TextChoices):
    DECISION = "decision", "délai de décision"
    PAYMENT = "payment", "délai de paiement"


class DelayFact(Cell):
    """How many files finished (decided, paid) on a day after a delay of `tenths` tenths of a day, as the
    page rounds it, and how many of those were over their scheme's service level: a histogram, so that
    medians and 90th percentiles over any filter are exact to the tenth of a day shown."""

    measure = models.CharField(max_length=8, choices=Measure.choices)
    advisor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation = models.ForeignKey(
        "network.Organisation", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    tenths = models.IntegerField()
    files = _counter()
    late = _counter()

    def __str__(self):
        return f"{self.grain} {self.day} {self.departement_id} {self.section} {self.bracket}"


class WaitingFact(Dimensions):
    """Files still waiting (for a decision, for the transfer) and already over the service level, when the
    figures were computed."""

    measure = models.CharField(max_length=8, choices=Measure.choices)
    advisor = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    organisation = models.ForeignKey(
        "network.Organisation", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    files = _counter()

    def __str__(self):
        return f"{self.measure} {self.departement_id} {self.section} {self.bracket}"


class RequestFact(Cell):
    """Advisor requests by the day they were made: transmitted within 72 h, taken in charge within 5 days,
    and their outcome when the figures were computed."""

    requests = _counter()
    transmitted = _counter()
    taken = _counter()
    done = _counter()
    taking_care = _counter()
    pending = _counter()
    not_reachable = _counter()
    no_help = _counter()
    national_queue = _counter()
    archived = _counter()

    def __str__(self):
        return f"{self.grain} {self.day} {self.departement_id} {self.section} {self.bracket}"


class MatchFact(Cell):
    """Matches by their request's day, per organisation and antenna of the advisor."""

    organisation = models.ForeignKey(
        "network.Organisation", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    antenna = models.ForeignKey(
        "network.Antenna", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    matches = _counter()
    transmitted = _counter()
    taken = _counter()
    done = _counter()
    no_help = _counter()
    not_reachable = _counter()
    declined = _counter()
    open = _counter()

    def __str__(self):
        return f"{self.grain} {self.day} {self.departement_id} {self.section} {self.bracket}"


# --- pre-aggregated figures (steering.stock_facts), and when they were computed (steering.refresh) --------


class FiguresRefresh(models.Model):
    """The one row (pk 1) saying when each set of pre-aggregated figures was last rebuilt (steering.refresh):
    the funnel, delays and network (steering.facts), the budget, reach and register (steering.stock_facts)."""

    flow_computed_at = models.DateTimeField("parcours, délais et réseau calculés le", null=True)
    flow_duration_ms = models.PositiveIntegerField("durée du calcul du parcours (ms)", null=True)
    stock_computed_at = models.DateTimeField("budget et portée calculés le", null=True)
    stock_on = models.DateField("jour des chiffres du budget et de la portée", null=True)
    stock_duration_ms = models.PositiveIntegerField(
        "durée du calcul du budget et de la portée (ms)", null=True
    )
    # The State-aid register's summary (steering.state_aid.summary), for its page.
    aids_count = models.PositiveIntegerField("aides accordées", default=0)
    aids_total_cents = models.BigIntegerField("montant des aides accordées (centimes)", default=0)
    aids_last_granted_on = models.DateField("dernière aide accordée le", null=True, blank=True)

    class Meta:
        verbose_name = "calcul des chiffres du pilotage"
        verbose_name_plural = "calculs des chiffres du pilotage"

    def __str__(self):
        return f"{self.flow_computed_at} / {self.stock_computed_at}"


class QueuedRefresh(models.Model):
    """The one row (pk 1) that exists while a refresh is queued: the debounce of `refresh.request_refresh`.

    Apart from FiguresRefresh, so that queueing never writes a row the refresh under way writes too."""

    requested_at = models.DateTimeField("demandé le")

    class Meta:
        verbose_name = "calcul demandé"
        verbose_name_plural = "calculs demandés"

    def __str__(self):
        return f"{self.requested_at}"


class EnvelopeSnapshot(models.Model):
    """An envelope's amount and counters when the figures were computed (free and reconciliation)."""

    envelope = models.OneToOneField(
        "schemes.Envelope", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    total_cents = models.BigIntegerField("montant total (centimes)")
    committed_cents = models.BigIntegerField("engagé au compteur (centimes)")
    disbursed_cents = models.BigIntegerField("payé au compteur (centimes)")

    class Meta:
        verbose_name = "enveloppe au dernier calcul"
        verbose_name_plural = "enveloppes au dernier calcul"

    def __str__(self):
        return f"{self.envelope_id} : {self.committed_cents} / {self.total_cents}"


class LedgerMonth(models.Model):
    """Σ of the ledger per envelope, département of the file's company, local month, kind, firm or not,
    and whether the day falls in the forecast's window (the `budget.PACE_DAYS` before the refresh)."""

    envelope = models.ForeignKey("schemes.Envelope", on_delete=models.CASCADE, related_name="+")
    departement_code = models.CharField("département", max_length=3, null=True)
    month = models.DateField("mois")
    kind = models.CharField("mouvement", max_length=16)
    firm = models.BooleanField("engagement ferme")
    recent = models.BooleanField("dans la fenêtre du rythme")
    first_day = models.DateField("premier jour")
    amount_cents = models.BigIntegerField("montant (centimes)")

    class Meta:
        verbose_name = "grand livre par mois"
        verbose_name_plural = "grand livre par mois"

    def __str__(self):
        return f"{self.envelope_id} {self.month:%Y-%m} {self.kind} : {self.amount_cents}"


class ReachSnapshot(models.Model):
    """A scheme whose reach was computed, under the rules version of that time."""

    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.CASCADE, related_name="+")
    rules_version = models.PositiveIntegerField("version des règles")
    on = models.DateField("jour de l'éligibilité")

    class Meta:
        verbose_name = "portée calculée"
        verbose_name_plural = "portées calculées"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "rules_version"], name="reach_snapshot_once"),
        ]

    def __str__(self):
        return f"{self.scheme_id} v{self.rules_version} ({self.on})"


class ReachCount(models.Model):
    """Companies eligible, beneficiaries or reached of one scheme's snapshot in one département."""

    class Measure(models.TextChoices):
        ELIGIBLE = "eligible", "éligibles"
        BENEFICIARIES = "beneficiaries", "bénéficiaires"
        REACHED = "reached", "touchées"

    snapshot = models.ForeignKey(ReachSnapshot, on_delete=models.CASCADE, related_name="counts")
    departement_code = models.CharField("département", max_length=3)
    measure = models.CharField("mesure", max_length=16, choices=Measure.choices)
    companies = models.PositiveIntegerField("entreprises")

    class Meta:
        verbose_name = "compte de portée"
        verbose_name_plural = "comptes de portée"

    def __str__(self):
        return f"{self.departement_code} {self.measure} : {self.companies}"
