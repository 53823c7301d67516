"""Checking answers and scoring them, exactly as DESIGN §6. Pure functions: no database.

Scores are exact fractions until they are stored: levels are decided on unrounded values, so
an overall score of 25.04 is "average", not "basic".
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from tremplin.core.errors import ServiceError
from tremplin.diagnostics.questionnaire import (
    AREAS,
    RATING_MAX,
    RATINGS,
    TICKS,
    TICKS_EXCLUSIVE,
    TRISTATE,
    TRISTATE_VALUES,
)

BASIC, AVERAGE, MODERATE, ADVANCED = "basic", "average", "moderate", "advanced"
LEVEL_LIMITS = [(Fraction(25), BASIC), (Fraction(50), AVERAGE), (Fraction(75), MODERATE)]


def level_of(score: Fraction) -> str:
    for limit, level in LEVEL_LIMITS:
        if score <= limit:
            return level
    return ADVANCED


@dataclass(frozen=True)
class Result:
    version: str
    questions: dict  # question id -> Fraction 0..10
    dimensions: dict  # dimension id -> Fraction 0..100
    overall: Fraction

    @property
    def level(self):
        return level_of(self.overall)

    @property
    def bucket(self):
        """The integer 0..100 under the overall score: the peer histogram's bucket."""
        return int(self.overall)


def rounded(value: Fraction, places=2) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP)


# --- checking -----------------------------------------------------------------------------------


def _unknown_items(question, values):
    allowed = set(question.item_ids)
    if question.exclusive:
        allowed.add(question.exclusive.id)
    unknown = [str(v) for v in values if v not in allowed]
    if unknown:
        raise ServiceError(
            "unknown_item",
            f"Réponse inconnue pour la question {question.id.upper()} : {', '.join(sorted(unknown))}.",
            question.id,
        )


def _tick_list(question, value):
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ServiceError(
            "invalid_answer",
            f"La réponse à la question {question.id.upper()} doit être une liste de cases cochées.",
            question.id,
        )
    _unknown_items(question, value)
    return [item for item in question.item_ids if item in value]


def clean_answer(question, value):
    """The answer in its canonical shape (items in questionnaire order), or a ServiceError."""
    if question.kind == AREAS:
        if not isinstance(value, dict) or set(value) - {"invested", "planned"}:
            raise ServiceError(
                "invalid_answer",
                f"La réponse à la question {question.id.upper()} doit indiquer les activités "
                "« invested » (déjà fait) et « planned » (prévu).",
                question.id,
            )
        return {key: _tick_list(question, value.get(key, [])) for key in ("invested", "planned")}
    if question.kind == TICKS:
        return _tick_list(question, value)
    if question.kind == TICKS_EXCLUSIVE:
        exclusive = question.exclusive.id
        if isinstance(value, list | tuple) and exclusive in value:
            if len(set(value)) > 1:
                raise ServiceError(
                    "exclusive_answer",
                    "Vous avez coché « données non gardées sous forme numérique » avec d'autres cases : "
                    "gardez l'une ou les autres, pas les deux.",
                    question.id,
                )
            return [exclusive]
        return _tick_list(question, value)
    if question.kind in (RATINGS, TRISTATE):
        if not isinstance(value, dict):
            raise ServiceError(
                "invalid_answer",
                f"La réponse à la question {question.id.upper()} doit donner une valeur pour chaque ligne.",
                question.id,
            )
        _unknown_items(question, value)
        missing = [item for item in question.item_ids if item not in value]
        if missing:
            raise ServiceError(
                "missing_answer",
                f"Question {question.id.upper()} : répondez pour chaque ligne (il manque {', '.join(missing)}).",
                question.id,
            )
        if question.kind == RATINGS:
            for item in question.item_ids:
                rating = value[item]
                if type(rating) is not int or not 0 <= rating <= RATING_MAX:
                    raise ServiceError(
                        "out_of_range",
                        f"Question {question.id.upper()}, « {item} » : la note va de 0 (pas utilisé) "
                        f"à {RATING_MAX} (utilisé au quotidien).",
                        question.id,
                    )
        else:
            for item in question.item_ids:
                if value[item] not in TRISTATE_VALUES:
                    raise ServiceError(
                        "out_of_range",
                        f"Question {question.id.upper()}, « {item} » : répondez « no », « partly » ou « yes ».",
                        question.id,
                    )
        return {item: value[item] for item in question.item_ids}
    raise ValueError(question.kind)


def clean_answers(questionnaire, answers):
    """Check answers to some questions of this questionnaire; unknown question ids are refused."""
    if not isinstance(answers, dict):
        raise ServiceError("invalid_answer", "Les réponses doivent être données question par question.")
    unknown = [str(qid) for qid in answers if qid not in questionnaire.questions]
    if unknown:
        raise ServiceError(
            "unknown_question",
            f"Question inconnue dans ce questionnaire ({questionnaire.version}) : {', '.join(sorted(unknown))}.",
            unknown[0],
        )
    return {qid: clean_answer(questionnaire.questions[qid], value) for qid, value in answers.items()}


# --- scoring ------------------------------------------------------------------------------------


def question_score(question, answer) -> Fraction:
    """0..10 for one (clean) answer; an unanswered question scores 0."""
    if answer is None:
        return Fraction(0)
    n = len(question.items)
    if question.kind == AREAS:
        invested, planned = set(answer["invested"]), set(answer["planned"])
        halves = sum(2 if item in invested else 1 if item in planned else 0 for item in question.item_ids)
        return Fraction(halves, 2) * 10 / n
    if question.kind == TICKS_EXCLUSIVE and question.exclusive.id in answer:
        return Fraction(0)
    if question.kind in (TICKS, TICKS_EXCLUSIVE):
        return Fraction(10 * len(answer), n)
    if question.kind == RATINGS:
        return Fraction(10 * sum(answer.values()), RATING_MAX * n)
    if question.kind == TRISTATE:
        return Fraction(10 * sum(TRISTATE_VALUES[v] for v in answer.values()), 2 * n)
    raise ValueError(question.kind)


def score(questionnaire, answers) -> Result:
    """Score clean answers: each dimension = sum of its questions / (10 × count) × 100; overall = mean."""
    questions = {}
    dimensions = {}
    for dimension in questionnaire.dimensions:
        total = Fraction(0)
        for question in dimension.questions:
            questions[question.id] = question_score(question, answers.get(question.id))
            total += questions[question.id]
        dimensions[dimension.id] = total * 100 / (10 * len(dimension.questions))
    overall = sum(dimensions.values(), Fraction(0)) / len(dimensions)
    return Result(questionnaire.version, questions, dimensions, overall)
