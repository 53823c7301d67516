"""Demo diagnostics: a few hundred completed ones over sectors, sizes and régions, so that peer
comparisons show right after set-up, and a T0/T1 history for the demo owner's company.

The bulk ones are scored with the real scoring function and stored in one insert (seed data, like
an import); the demo owner's history goes through the service functions, audit included.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tremplin.diagnostics import peers, questionnaire, scoring, services
from tremplin.diagnostics.models import Diagnostic, State
from tremplin.diagnostics.questionnaire import AREAS, RATING_MAX, RATINGS, TICKS, TICKS_EXCLUSIVE
from tremplin.registry.models import Company
from tremplin.vouchers.models import Application

# More digital sectors and bigger companies answer higher, on average.
SECTION_BONUS = {"J": 0.2, "M": 0.12, "K": 0.12, "G": 0.03, "F": -0.08, "I": -0.05, "A": -0.12, "S": -0.06}
BAND_BONUS = {"0": -0.08, "1-9": 0.0, "10-49": 0.08, "50+": 0.15}


def _clamp(value, low=0.02, high=0.98):
    return max(low, min(high, value))


def plausible_answers(rng, maturity):
    """Answers of a company of this maturity (0..1): easy items (first in each list) ticked more often."""
    answers = {}
    for question in questionnaire.CURRENT.questions.values():
        items = question.item_ids
        chance = [_clamp(maturity * 1.4 - 0.5 * i / len(items) + 0.15) for i in range(len(items))]
        if question.kind == AREAS:
            invested = [item for item, p in zip(items, chance, strict=True) if rng.random() < p * 0.8]
            planned = [item for item in items if item not in invested and rng.random() < 0.25]
            answers[question.id] = {"invested": invested, "planned": planned}
        elif question.kind == TICKS_EXCLUSIVE and maturity < 0.25 and rng.random() < 0.5:
            answers[question.id] = [question.exclusive.id]
        elif question.kind in (TICKS, TICKS_EXCLUSIVE):
            answers[question.id] = [item for item, p in zip(items, chance, strict=True) if rng.random() < p]
        elif question.kind == RATINGS:
            answers[question.id] = {
                item: sum(rng.random() < maturity**2 for _ in range(RATING_MAX)) for item in items
            }
        else:
            answers[question.id] = {
                item: rng.choices(["no", "partly", "yes"], [1 - maturity, 0.6, maturity])[0] for item in items
            }
    return answers


def _maturity(rng, company):
    section = peers.section_of(company.naf_code)
    band = peers.band_of(company.headcount_bracket)
    return _clamp(rng.betavariate(2, 3) + SECTION_BONUS.get(section, 0) + BAND_BONUS[band], 0.01, 0.99)


def seed_diagnostics(rng, count=400, owner=None, owner_company=None):
    """Create `count` completed diagnostics and rebuild the peer statistics; returns how many."""
    ids = list(
        Company.objects.filter(state=Company.State.ACTIVE, departement__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(ids, min(count, len(ids)))
    companies = Company.objects.select_related("departement").in_bulk(chosen)
    now = timezone.now()
    rows = []
    for pk in chosen:
        company = companies[pk]
        data = plausible_answers(rng, _maturity(rng, company))
        diagnostic = Diagnostic(
            company=company,
            version=questionnaire.CURRENT.version,
            state=State.COMPLETED,
            answers=data,
            completed_at=now - timedelta(days=rng.randint(1, 360)),
        )
        services.apply_result(diagnostic, scoring.score(questionnaire.CURRENT, data))
        rows.append(diagnostic)
    with transaction.atomic():
        Diagnostic.objects.bulk_create(rows, batch_size=500)
        if owner is not None:
            owner_company = owner_company or _company_of(owner)
            if owner_company is not None:
                _owner_history(rng, owner, owner_company)
        peers.rebuild()
    return len(rows)


def _company_of(owner):
    application = Application.objects.filter(owner=owner).select_related("company").order_by("pk").first()
    return application.company if application else None


def _owner_history(rng, owner, company):
    """T0 a year ago, T1 today: the owner sees the change per dimension on their results page."""
    for maturity, days_ago in ((0.25, 365), (0.5, 0)):
        diagnostic, _created = services.start(owner, company)
        services.save_answers(owner, diagnostic, plausible_answers(rng, maturity))
        diagnostic = services.complete(owner, diagnostic)
        if days_ago:
            Diagnostic.objects.filter(pk=diagnostic.pk).update(
                completed_at=timezone.now() - timedelta(days=days_ago)
            )
