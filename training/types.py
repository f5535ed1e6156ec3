"""Plain data that flows in and out of the training library.

Everything here is a frozen dataclass so results can be cached, compared in tests and handed to
the web app without it depending on how they were computed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "Assignment",
    "Catalog",
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
]

Source = Literal["human", "ai"]
SOURCES: tuple[str, ...] = ("human", "ai")


@dataclass(frozen=True)
class Observation:
    """One score of one criterion for one agent, from one evaluation.

    ``score`` is normalised to 0..1 (1 is best). ``source`` says whether a person gave it
    (``human``) or it is an unreviewed AI suggestion (``ai``). ``opportunities`` and ``missed``
    are optional detail: how many moments in the interaction called for the behaviour and how
    many of them the agent let pass. ``observed_at`` is when the interaction took place, not
    when it was reviewed, so a late review of an old call still counts as before training.
    ``criterion`` is a rubric key, or ``mood_trajectory`` (1: the customer ends the call in a
    better mood than they started, 0: worse) from the analytics.
    """

    agent_id: str
    criterion: str
    score: float
    source: Source
    observed_at: datetime
    evaluation_id: str
    interaction_id: str | None = None
    opportunities: int | None = None
    missed: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within 0..1, got {self.score!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be 'human' or 'ai', got {self.source!r}")
        if (self.opportunities is None) != (self.missed is None):
            raise ValueError("opportunities and missed are given together or not at all")
        if self.opportunities is not None and self.missed is not None:
            if self.opportunities < 0 or not 0 <= self.missed <= self.opportunities:
                raise ValueError(
                    f"missed ({self.missed}) must be within 0..opportunities ({self.opportunities})"
                )


@dataclass(frozen=True)
class Assignment:
    """A module given to an agent; ``completed_at`` is None while it is still open."""

    agent_id: str
    module_id: str
    assigned_at: datetime
    completed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.completed_at is not None and self.completed_at < self.assigned_at:
            raise ValueError("completed_at is before assigned_at")


@dataclass(frozen=True)
class QuizQuestion:
    """A multiple choice question; ``answer`` is the index of the correct choice."""

    id: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str = ""


@dataclass(frozen=True)
class Quiz:
    """Questions and the fraction of them (0..1] an agent must get right to pass."""

    questions: tuple[QuizQuestion, ...]
    pass_mark: float

    def question(self, question_id: str) -> QuizQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


@dataclass(frozen=True)
class Module:
    """One coaching module: what it trains, how long it takes, its Markdown text and its quiz."""

    id: str
    title: str
    summary: str
    criteria: tuple[str, ...]
    minutes: int
    content: str
    quiz: Quiz


@dataclass(frozen=True)
class Catalog:
    """The modules on offer, in a stable order (by id)."""

    modules: tuple[Module, ...]

    def __post_init__(self) -> None:
        ids = [m.id for m in self.modules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"module ids must be unique: {', '.join(twice)}")

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def get(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def training(self, criterion: str) -> tuple[Module, ...]:
        """Modules that train ``criterion``."""
        return tuple(m for m in self.modules if criterion in m.criteria)

    @property
    def criteria(self) -> frozenset[str]:
        return frozenset(c for m in self.modules for c in m.criteria)


@dataclass(frozen=True)
class QuizResult:
    module_id: str
    correct: int
    total: int
    passed: bool
    wrong: tuple[str, ...]
    unanswered: tuple[str, ...]

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Policy:
    """How ``recommend`` reads a history.

    :param last_n: how many of an agent's most recent evaluations of a criterion count.
    :param min_evaluations: below this many, nothing is concluded about the criterion.
    :param threshold: weighted score under which a criterion is weak; ``thresholds`` overrides
        it per criterion.
    :param ai_weight: weight of an unreviewed AI suggestion relative to a human score (1.0).
        0 ignores AI suggestions entirely.
    :param cooldown_days: a module completed this recently is not recommended again.
    :param now: the reference time for the cooldown; None uses the latest observation, so the
        result never depends on the wall clock.
    """

    last_n: int = 6
    min_evaluations: int = 3
    threshold: float = 0.6
    thresholds: Mapping[str, float] = field(default_factory=dict)
    ai_weight: float = 0.5
    cooldown_days: int = 30
    now: datetime | None = None

    def __post_init__(self) -> None:
        if self.last_n < 1:
            raise ValueError("last_n must be at least 1")
        if not 1 <= self.min_evaluations <= self.last_n:
            raise ValueError("min_evaluations must be within 1..last_n")
        if not 0.0 <= self.ai_weight <= 1.0:
            raise ValueError("ai_weight must be within 0..1")
        if self.cooldown_days < 0:
            raise ValueError("cooldown_days must not be negative")
        for key, value in {"threshold": self.threshold, **self.thresholds}.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold for {key} must be within 0..1, got {value!r}")

    def threshold_for(self, criterion: str) -> float:
        return self.thresholds.get(criterion, self.threshold)


@dataclass(frozen=True)
class Standing:
    """Where an agent stands on one criterion over their recent evaluations."""

    agent_id: str
    criterion: str
    score: float
    evaluations: int
    human: int
    opportunities: int
    missed: int
    evaluation_ids: tuple[str, ...]
    enough_data: bool


@dataclass(frozen=True)
class Recommendation:
    """A module suggested to an agent, the weak criteria it targets and why, in words."""

    agent_id: str
    module_id: str
    criteria: tuple[str, ...]
    reason: str
    gap: float
    evaluation_ids: tuple[str, ...]


@dataclass(frozen=True)
class CriterionEffect:
    """Before/after comparison for one criterion (or the module's criteria together).

    ``change``, ``low`` and ``high`` are None when there is not enough data; ``note`` then says
    why in words.
    """

    criterion: str
    before_n: int
    after_n: int
    before_mean: float | None
    after_mean: float | None
    change: float | None
    low: float | None
    high: float | None
    note: str

    @property
    def enough_data(self) -> bool:
        return self.change is not None


@dataclass(frozen=True)
class Effect:
    """The measured effect of training: overall over the criteria, and per criterion."""

    criteria: tuple[str, ...]
    confidence: float
    overall: CriterionEffect
    by_criterion: tuple[CriterionEffect, ...]
    module_id: str | None = None
