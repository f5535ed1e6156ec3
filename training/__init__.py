"""Training and coaching: a module catalog, quizzes, recommendations from weak criteria, and
the measured effect of completed training. Plain data in and out; no web or database code."""

from training.catalog import CatalogError, load_catalog, parse_module, render_module
from training.effect import effect, evaluation_windows, module_effect
from training.history import standings
from training.quiz import grade_quiz
from training.recommend import recommend
from training.types import (
    Assignment,
    Catalog,
    CriterionEffect,
    Effect,
    Module,
    Observation,
    Policy,
    Quiz,
    QuizQuestion,
    QuizResult,
    Recommendation,
    Standing,
)

__all__ = [
    "Assignment",
    "Catalog",
    "CatalogError",
    "CriterionEffect",
    "Effect",
    "Module",
    "Observation",
    "Policy",
    "Quiz",
    "QuizQuestion",
    "QuizResult",
    "Recommendation",
    "Standing",
    "effect",
    "evaluation_windows",
    "grade_quiz",
    "load_catalog",
    "module_effect",
    "parse_module",
    "recommend",
    "render_module",
    "standings",
]
