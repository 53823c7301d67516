from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.diagnostics.helpers import Q, all_maximum, all_minimum, answers, ticks
from tremplin.core.errors import ServiceError
from tremplin.diagnostics.questionnaire import AREAS, RATING_MAX, RATINGS, TICKS, TICKS_EXCLUSIVE
from tremplin.diagnostics.scoring import clean_answers, level_of, score


def test_the_questionnaire_has_six_dimensions_and_eleven_questions():
    assert len(Q.dimensions) == 6
    assert list(Q.questions) == [f"q{n}" for n in range(1, 12)]
    sizes = {qid: len(q.items) for qid, q in Q.questions.items()}
    assert sizes == {
        "q1": 10,
        "q2": 10,
        "q3": 10,
        "q4": 7,
        "q5": 7,
        "q6": 8,
        "q7": 7,
        "q8": 6,
        "q9": 5,
        "q10": 10,
        "q11": 5,
    }
    assert Q.questions["q7"].exclusive is not None


def test_all_minimum_answers_score_zero_and_basic():
    result = score(Q, clean_answers(Q, all_minimum()))
    assert result.overall == 0
    assert set(result.dimensions.values()) == {0}
    assert result.level == "basic"


def test_all_maximum_answers_score_one_hundred_and_advanced():
    result = score(Q, clean_answers(Q, all_maximum()))
    assert result.overall == 100
    assert set(result.dimensions.values()) == {100}
    assert set(result.questions.values()) == {10}
    assert result.level == "advanced"


def at_25():
    # strategy 25, readiness 25, human 25, data 25, automation 20, green 30: mean 25.
    return answers(
        q2=ticks("q2", 5),
        q3=ticks("q3", 5),
        q6=ticks("q6", 4),
        q8=ticks("q8", 3),
        q9={"language": 5, "vision": 0, "voice": 0, "robots": 0, "decision": 0},
        q10=ticks("q10", 6),
    )


def at_50():
    # 50, 50, 50, 50, automation 40, green 60.
    return answers(
        q2=ticks("q2", 10),
        q3=ticks("q3", 10),
        q6=ticks("q6", 8),
        q8=ticks("q8", 6),
        q9={"language": 5, "vision": 5, "voice": 0, "robots": 0, "decision": 0},
        q10=ticks("q10", 10),
        q11={"policy": "yes", "purchases": "no", "consumption": "no", "cleanup": "no", "awareness": "no"},
    )


def at_75():
    # strategy 75, readiness 50, human 75, data 75, automation 100, green 75.
    return answers(
        q1={"invested": ticks("q1", 5), "planned": []},
        q2=ticks("q2", 10),
        q3=ticks("q3", 10),
        q5=ticks("q5", 7),
        q6=ticks("q6", 4),
        q7=ticks("q7", 7),
        q8=ticks("q8", 3),
        q9=dict.fromkeys(Q.questions["q9"].item_ids, 5),
        q10=ticks("q10", 10),
        q11={
            "policy": "yes",
            "purchases": "yes",
            "consumption": "partly",
            "cleanup": "no",
            "awareness": "no",
        },
    )


@pytest.mark.parametrize(
    ("build", "expected", "level"),
    [(at_25, 25, "basic"), (at_50, 50, "average"), (at_75, 75, "moderate")],
)
def test_a_score_exactly_on_a_boundary_keeps_the_lower_level(build, expected, level):
    result = score(Q, clean_answers(Q, build()))
    assert result.overall == expected
    assert result.level == level


@pytest.mark.parametrize(("build", "level"), [(at_25, "average"), (at_50, "moderate"), (at_75, "advanced")])
def test_half_a_point_above_a_boundary_moves_up_a_level_even_when_it_rounds_to_it(build, level):
    data = build()
    planned = [item for item in Q.questions["q1"].item_ids if item not in data["q1"]["invested"]][:1]
    data["q1"] = {"invested": data["q1"]["invested"], "planned": planned}
    result = score(Q, clean_answers(Q, data))
    assert result.overall == level_boundary(level) + Fraction(5, 12)
    assert round(result.overall) == level_boundary(level)
    assert result.level == level


def level_boundary(level):
    return {"average": 25, "moderate": 50, "advanced": 75}[level]


def test_levels_compare_unrounded_scores():
    assert level_of(Fraction(25)) == "basic"
    assert level_of(Fraction(2501, 100)) == "average"
    assert level_of(Fraction(75) + Fraction(1, 10**9)) == "advanced"


def test_q1_counts_one_for_invested_half_for_planned_and_one_for_both():
    q1 = Q.questions["q1"]
    area = q1.item_ids[0]
    cases = [
        ({"invested": [area], "planned": []}, 1),
        ({"invested": [], "planned": [area]}, Fraction(1, 2)),
        ({"invested": [area], "planned": [area]}, 1),
    ]
    for answer, expected in cases:
        result = score(Q, clean_answers(Q, answers(q1=answer)))
        assert result.questions["q1"] == expected


def test_q7_exclusive_answer_scores_zero():
    result = score(Q, clean_answers(Q, answers(q7=["not_digital"])))
    assert result.questions["q7"] == 0


def test_q7_exclusive_answer_cannot_be_combined_with_other_ticks():
    with pytest.raises(ServiceError) as error:
        clean_answers(Q, {"q7": ["not_digital", "stored"]})
    assert error.value.code == "exclusive_answer"
    assert error.value.field == "q7"


def test_q4_and_q9_ratings_are_scaled_to_ten():
    q4 = dict.fromkeys(Q.questions["q4"].item_ids, 0) | {"cad": 5, "iot": 2}
    result = score(Q, clean_answers(Q, answers(q4=q4)))
    assert result.questions["q4"] == Fraction(7 * 10, 35)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"q12": []}, "unknown_question"),
        ({"q3": ["website", "teleportation"]}, "unknown_item"),
        (
            {
                "q4": dict.fromkeys(
                    [
                        "simulation",
                        "virtual_reality",
                        "cad",
                        "production_software",
                        "iot",
                        "blockchain",
                        "printing_3d",
                    ],
                    6,
                )
            },
            "out_of_range",
        ),
        ({"q9": {"language": -1, "vision": 0, "voice": 0, "robots": 0, "decision": 0}}, "out_of_range"),
        ({"q9": {"language": 2.5, "vision": 0, "voice": 0, "robots": 0, "decision": 0}}, "out_of_range"),
        ({"q9": {"language": True, "vision": 0, "voice": 0, "robots": 0, "decision": 0}}, "out_of_range"),
        ({"q9": {"language": 1}}, "missing_answer"),
        (
            {"q11": dict.fromkeys(["policy", "purchases", "consumption", "cleanup", "awareness"], "maybe")},
            "out_of_range",
        ),
        ({"q1": ["design"]}, "invalid_answer"),
        ({"q2": "needs"}, "invalid_answer"),
    ],
)
def test_bad_answers_are_refused_with_a_code_and_a_french_message(payload, code):
    with pytest.raises(ServiceError) as error:
        clean_answers(Q, payload)
    assert error.value.code == code
    assert error.value.message


# --- properties ---------------------------------------------------------------------------------


def answer_strategy(question):
    items = question.item_ids
    subset = st.lists(st.sampled_from(items), unique=True)
    if question.kind == AREAS:
        return st.fixed_dictionaries({"invested": subset, "planned": subset})
    if question.kind == TICKS:
        return subset
    if question.kind == TICKS_EXCLUSIVE:
        return st.one_of(subset, st.just([question.exclusive.id]))
    if question.kind == RATINGS:
        return st.fixed_dictionaries({i: st.integers(0, RATING_MAX) for i in items})
    return st.fixed_dictionaries({i: st.sampled_from(["no", "partly", "yes"]) for i in items})


ANSWERS = st.fixed_dictionaries({qid: answer_strategy(q) for qid, q in Q.questions.items()})


@given(ANSWERS)
def test_every_score_stays_between_0_and_100(data):
    result = score(Q, clean_answers(Q, data))
    assert 0 <= result.overall <= 100
    assert all(0 <= value <= 100 for value in result.dimensions.values())
    assert all(0 <= value <= 10 for value in result.questions.values())


def improve(question, answer, item):
    """The same answer with one more box ticked or one rating raised (None if already at the top)."""
    if question.kind == AREAS:
        if item in answer["invested"]:
            return None
        if item in answer["planned"]:
            return {"invested": answer["invested"] + [item], "planned": answer["planned"]}
        return {"invested": answer["invested"], "planned": answer["planned"] + [item]}
    if question.kind in (TICKS, TICKS_EXCLUSIVE):
        if item in answer:
            return None
        if question.exclusive and question.exclusive.id in answer:
            return [item]
        return answer + [item]
    if question.kind == RATINGS:
        return None if answer[item] == RATING_MAX else {**answer, item: answer[item] + 1}
    order = ["no", "partly", "yes"]
    if answer[item] == "yes":
        return None
    return {**answer, item: order[order.index(answer[item]) + 1]}


@given(ANSWERS, st.sampled_from(list(Q.questions)), st.data())
def test_ticking_one_more_box_or_raising_one_rating_never_lowers_a_score(data, qid, draw):
    question = Q.questions[qid]
    item = draw.draw(st.sampled_from(question.item_ids))
    better = improve(question, data[qid], item)
    if better is None:
        return
    before = score(Q, clean_answers(Q, data))
    after = score(Q, clean_answers(Q, {**data, qid: better}))
    assert after.overall >= before.overall
    assert all(after.dimensions[d] >= before.dimensions[d] for d in before.dimensions)
    assert all(after.questions[q] >= before.questions[q] for q in before.questions)
    assert after.questions[qid] > before.questions[qid]
