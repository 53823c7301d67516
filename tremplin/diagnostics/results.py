"""Everything the results page, the PDF report and the API show about a completed diagnostic.

A few indexed queries: the history of the company, two on the peer statistics, the NAF section
label, the recommendation rules, the open scheme and the providers per linked category.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tremplin.diagnostics import peers, recommendations
from tremplin.diagnostics.access import diagnostics_for
from tremplin.diagnostics.models import Level, State
from tremplin.diagnostics.questionnaire import DIMENSION_LABELS
from tremplin.diagnostics.radar import radar_svg
from tremplin.registry.models import NafSection
from tremplin.schemes.models import Scheme, SpendCategory

SHORT_LABELS = {
    "strategy": gettext_lazy("Stratégie"),
    "readiness": gettext_lazy("Équipement"),
    "human": gettext_lazy("Équipe"),
    "data": gettext_lazy("Données"),
    "automation": gettext_lazy("Automatisation"),
    "green": gettext_lazy("Environnement"),
}
LEVEL_TEXT = {
    Level.BASIC: gettext_lazy("Vous débutez : quelques outils simples vous feront gagner du temps."),
    Level.AVERAGE: gettext_lazy(
        "Les bases sont là : il reste à les relier entre elles et à les faire vivre."
    ),
    Level.MODERATE: gettext_lazy("Le numérique vous sert déjà bien : visez les points encore faibles."),
    Level.ADVANCED: gettext_lazy(
        "Vous êtes très avancé : partagez votre expérience et restez vigilant sur la sécurité."
    ),
}
HISTORY_SIZE = 6


@dataclass
class Results:
    diagnostic: object
    dimensions: list
    radar: str
    position: object
    group_label: str
    recommendations: list
    history: list
    history_rows: list = field(default_factory=list)


def level_label(level):
    return dict(Level.choices).get(level, level)


def dimension_rows(diagnostic):
    rows = []
    for dimension_id in diagnostic.questionnaire.dimension_ids:
        score = Decimal(diagnostic.dimension_scores[dimension_id])
        rows.append(
            {
                "id": dimension_id,
                "label": DIMENSION_LABELS[dimension_id],
                "short": SHORT_LABELS[dimension_id],
                "score": score,
            }
        )
    return rows


def group_label(position, diagnostic):
    """Which peers the company is compared with, in words."""
    if position is None:
        return ""
    if position.level == "all":
        return _("toutes les entreprises ayant fait le diagnostic")
    section = NafSection.objects.filter(code=position.section).values_list("label", flat=True).first()
    activity = _("même secteur d'activité (section %(code)s%(label)s)") % {
        "code": position.section,
        "label": f" – {section}" if section else "",
    }
    parts = [activity]
    if position.level in ("section_band", "section_band_region"):
        parts.append(str(peers.BANDS[position.band]))
    if position.level == "section_band_region":
        region = diagnostic.company.departement.region if diagnostic.company.departement_id else None
        parts.append(_("région %(name)s") % {"name": region.name if region else position.region})
    return _("entreprises du %(criteria)s") % {"criteria": ", ".join(parts)}


def _history(user, diagnostic):
    rows = list(
        diagnostics_for(user)
        .filter(company_id=diagnostic.company_id, state=State.COMPLETED)
        .order_by("-completed_at", "-pk")
        .values("pk", "completed_at", "overall_score", "dimension_scores")[:HISTORY_SIZE]
    )
    rows.reverse()
    for index, row in enumerate(rows):
        row["label"] = f"T{index}"
        row["completed_on"] = timezone.localdate(row["completed_at"])
        row["current"] = row["pk"] == diagnostic.pk
    return rows


def _history_rows(history, dimensions):
    """One row per dimension: its score at each date, and the change from the first to the last."""
    if len(history) < 2:
        return []
    rows = []
    for dimension in dimensions:
        scores = [Decimal(h["dimension_scores"][dimension["id"]]) for h in history]
        rows.append({"label": dimension["label"], "scores": scores, "change": scores[-1] - scores[0]})
    overall = [h["overall_score"] for h in history]
    rows.append(
        {"label": _("Score global"), "scores": overall, "change": overall[-1] - overall[0], "total": True}
    )
    return rows


def _recommendations(diagnostic):
    rules = recommendations.recommend(diagnostic)
    scheme = (
        Scheme.objects.filter(window_opens_at__lte=timezone.now(), window_closes_at__gt=timezone.now())
        .order_by("-window_opens_at")
        .only("spend_categories")
        .first()
    )
    eligible = set(scheme.spend_categories) if scheme else set()
    labels = dict(SpendCategory.choices)
    providers = {}
    items = []
    for rule in rules:
        categories = [
            {"value": value, "label": labels.get(value, value), "eligible": value in eligible}
            for value in rule.spend_categories
        ]
        first = rule.spend_categories[0] if rule.spend_categories else None
        if first is not None and first not in providers:
            providers[first] = recommendations.providers_for(first, diagnostic.company.departement_id)
        items.append({"rule": rule, "categories": categories, "providers": providers.get(first, [])})
    return items


def build(user, diagnostic, chart_id="radar"):
    dimensions = dimension_rows(diagnostic)
    history = _history(user, diagnostic)
    previous = None
    position_in_history = next((i for i, h in enumerate(history) if h["current"]), None)
    if position_in_history:
        before = history[position_in_history - 1]["dimension_scores"]
        previous = [Decimal(before[d["id"]]) for d in dimensions]
    description = "; ".join(
        _("%(label)s : %(score)s sur 100") % {"label": d["label"], "score": f"{d['score']:.0f}"}
        for d in dimensions
    )
    svg = radar_svg(
        [str(d["short"]) for d in dimensions],
        [d["score"] for d in dimensions],
        title=_("Vos scores par thème, sur 100"),
        description=description,
        chart_id=chart_id,
        previous=previous,
    )
    position = peers.position(diagnostic)
    return Results(
        diagnostic=diagnostic,
        dimensions=dimensions,
        radar=svg,
        position=position,
        group_label=group_label(position, diagnostic),
        recommendations=_recommendations(diagnostic),
        history=history,
        history_rows=_history_rows(history, dimensions),
    )
