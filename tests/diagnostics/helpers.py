"""Answers built from the questionnaire itself, so tests follow its structure."""

from tremplin.diagnostics import questionnaire as qn
from tremplin.diagnostics.questionnaire import AREAS, RATINGS, TICKS, TICKS_EXCLUSIVE, TRISTATE

Q = qn.CURRENT


def minimum_answer(question):
    if question.kind == AREAS:
        return {"invested": [], "planned": []}
    if question.kind in (TICKS, TICKS_EXCLUSIVE):
        return []
    if question.kind == RATINGS:
        return dict.fromkeys(question.item_ids, 0)
    if question.kind == TRISTATE:
        return dict.fromkeys(question.item_ids, "no")
    raise ValueError(question.kind)


def maximum_answer(question):
    if question.kind == AREAS:
        return {"invested": list(question.item_ids), "planned": []}
    if question.kind in (TICKS, TICKS_EXCLUSIVE):
        return list(question.item_ids)
    if question.kind == RATINGS:
        return dict.fromkeys(question.item_ids, qn.RATING_MAX)
    if question.kind == TRISTATE:
        return dict.fromkeys(question.item_ids, "yes")
    raise ValueError(question.kind)


def all_minimum():
    return {qid: minimum_answer(q) for qid, q in Q.questions.items()}


def all_maximum():
    return {qid: maximum_answer(q) for qid, q in Q.questions.items()}


def ticks(qid, n):
    return Q.questions[qid].item_ids[:n]


def answers(**overrides):
    """All-minimum answers with some questions replaced."""
    return {**all_minimum(), **overrides}


def dimension_answers(answers_by_question, step):
    """The answers of one screen (1-based) only."""
    dimension = Q.dimensions[step - 1]
    return {q.id: answers_by_question[q.id] for q in dimension.questions}


def post_data(answers_by_question, step):
    """What the browser sends for one screen with these answers."""
    data = {}
    for question in Q.dimensions[step - 1].questions:
        answer = answers_by_question[question.id]
        if question.kind == AREAS:
            for item in question.item_ids:
                invested, planned = item in answer["invested"], item in answer["planned"]
                data[f"{question.id}-{item}"] = (
                    "both"
                    if invested and planned
                    else "invested"
                    if invested
                    else "planned"
                    if planned
                    else "none"
                )
        elif question.kind in (TICKS, TICKS_EXCLUSIVE):
            data[question.id] = list(answer)
        else:
            for item, value in answer.items():
                data[f"{question.id}-{item}"] = str(value)
    return data
