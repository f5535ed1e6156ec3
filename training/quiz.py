"""Grading a module's quiz."""

from __future__ import annotations

import math
from collections.abc import Mapping

from training.types import Module, QuizResult

__all__ = ["grade_quiz"]


def grade_quiz(module: Module, answers: Mapping[str, int | None]) -> QuizResult:
    """Grade ``answers`` (question id -> chosen choice index, 0-based) against ``module``'s quiz.

    A question left out (or answered None) counts as wrong and is listed in ``unanswered``, so an
    agent cannot pass by skipping. Passing needs at least ``ceil(pass_mark * total)`` right.

    :raise ValueError: for an answer to a question the quiz does not have, or a choice index
        out of range: that is a stale or tampered form, not a wrong answer.
    """
    questions = {q.id: q for q in module.quiz.questions}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise ValueError(f"quiz of {module.id!r} has no question {', '.join(unknown)}")
    wrong: list[str] = []
    unanswered: list[str] = []
    for question in module.quiz.questions:
        choice = answers.get(question.id)
        if choice is None:
            unanswered.append(question.id)
            continue
        if isinstance(choice, bool) or not isinstance(choice, int):
            raise ValueError(f"answer to {question.id} must be a choice index, got {choice!r}")
        if not 0 <= choice < len(question.choices):
            raise ValueError(f"answer to {question.id} is not a choice: {choice}")
        if choice != question.answer:
            wrong.append(question.id)
    total = len(module.quiz.questions)
    correct = total - len(wrong) - len(unanswered)
    needed = math.ceil(module.quiz.pass_mark * total - 1e-9)
    return QuizResult(
        module_id=module.id,
        correct=correct,
        total=total,
        passed=correct >= needed,
        wrong=tuple(wrong),
        unanswered=tuple(unanswered),
    )
