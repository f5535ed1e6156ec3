from __future__ import annotations

import pytest

from training import grade_quiz, load_catalog

MODULE = load_catalog().get("handling-an-angry-customer")  # 5 questions, pass mark 0.75


def right() -> dict[str, int]:
    return {q.id: q.answer for q in MODULE.quiz.questions}


def wrong_choice(question_id: str) -> int:
    question = MODULE.quiz.question(question_id)
    return (question.answer + 1) % len(question.choices)


def test_all_right_passes() -> None:
    result = grade_quiz(MODULE, right())
    assert (result.correct, result.total, result.passed) == (5, 5, True)
    assert result.score == 1.0
    assert result.wrong == () and result.unanswered == ()


def test_pass_mark_boundary() -> None:
    # 0.75 of 5 questions needs 4 right (3.75 rounded up).
    answers = right()
    answers["q2"] = wrong_choice("q2")
    one_wrong = grade_quiz(MODULE, answers)
    assert (one_wrong.correct, one_wrong.passed, one_wrong.wrong) == (4, True, ("q2",))
    answers["q4"] = wrong_choice("q4")
    two_wrong = grade_quiz(MODULE, answers)
    assert (two_wrong.correct, two_wrong.passed) == (3, False)
    assert two_wrong.wrong == ("q2", "q4")


def test_exact_pass_mark_passes() -> None:
    module = load_catalog().get("acknowledging-frustration")  # 4 questions, 0.75 -> 3 right
    answers = {q.id: q.answer for q in module.quiz.questions}
    answers["q1"] = (answers["q1"] + 1) % 4
    result = grade_quiz(module, answers)
    assert (result.correct, result.passed) == (3, True)


def test_skipped_questions_count_as_wrong() -> None:
    answers = right()
    del answers["q1"]
    answers["q3"] = None  # type: ignore[assignment]
    result = grade_quiz(MODULE, answers)
    assert result.unanswered == ("q1", "q3")
    assert (result.correct, result.passed) == (3, False)
    assert grade_quiz(MODULE, {}).passed is False


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"q9": 0}, "has no question q9"), ({"q1": 7}, "not a choice"), ({"q1": "a"}, "choice index")],
)
def test_stale_or_tampered_answers_are_rejected(answers: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        grade_quiz(MODULE, answers)
