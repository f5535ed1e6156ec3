"""Plain data that flows in and out of the scoring library (no I/O, no framework types)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AGENT",
    "CUSTOMER",
    "UNKNOWN",
    "CriterionResult",
    "CriterionSpec",
    "Evidence",
    "Interaction",
    "Rubric",
    "ScoreSheet",
    "ScoringContext",
    "Turn",
]

AGENT = "agent"
CUSTOMER = "customer"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Turn:
    """One segment of a conversation; times are seconds, or None for text channels."""

    id: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None

    @property
    def is_agent(self) -> bool:
        return self.speaker == AGENT

    @property
    def is_customer(self) -> bool:
        return self.speaker == CUSTOMER


@dataclass(frozen=True)
class Interaction:
    """A conversation to score. ``agent_id`` None means "the batch's anonymous agent"."""

    interaction_id: str
    turns: tuple[Turn, ...]
    agent_id: str | None = None
    source: str = ""

    @property
    def agent_turns(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.is_agent)

    @property
    def customer_turns(self) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.is_customer)

    @property
    def has_times(self) -> bool:
        return bool(self.turns) and all(
            t.start is not None and t.end is not None for t in self.turns
        )


@dataclass(frozen=True)
class Evidence:
    """A transcript line behind a score, and why it counted."""

    segment: int
    quote: str
    reason: str
    start: float | None = None
    end: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CriterionResult:
    """What one scorer says: ``score`` in 0..1 (higher is better) or None when not applicable."""

    score: float | None
    label: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 4),
            "label": self.label,
            "confidence": round(self.confidence, 4),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class CriterionSpec:
    """One rubric line: which scorer runs, how much it weighs, and its detector settings."""

    key: str
    type: str
    weight: float
    section: str = ""
    na_allowed: bool = True
    critical: bool = False
    critical_below: float = 0.5
    settings: Mapping[str, Any] = field(default_factory=dict)
    guidance: str = ""


@dataclass(frozen=True)
class Rubric:
    """A versioned set of criteria; ``zero_on_auto_fail`` says whether a critical failure zeroes."""

    name: str
    version: str
    criteria: tuple[CriterionSpec, ...]
    zero_on_auto_fail: bool = True
    description: str = ""

    def criterion(self, key: str) -> CriterionSpec:
        for spec in self.criteria:
            if spec.key == key:
                return spec
        raise KeyError(key)


@dataclass(frozen=True)
class ScoringContext:
    """What the caller knows beyond the batch.

    ``history`` holds earlier interactions (e.g. the same agents' recent calls) used for
    cross-call repetition; ``repeat_contact_days`` maps an interaction id to the number of days
    until the same customer contacted again (absent: no known repeat contact).
    """

    history: tuple[Interaction, ...] = ()
    repeat_contact_days: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreSheet:
    """The scored interaction, in the output schema of ``python -m scoring``."""

    interaction_id: str
    rubric_name: str
    rubric_version: str
    total: float
    auto_fail: bool
    criteria: Mapping[str, CriterionResult]
    metrics: Mapping[str, Any]
    agent_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "interaction_id": self.interaction_id,
            "rubric": {"name": self.rubric_name, "version": self.rubric_version},
            "total": round(self.total, 2),
            "auto_fail": self.auto_fail,
            "criteria": {key: res.to_dict() for key, res in self.criteria.items()},
            "metrics": dict(self.metrics),
        }
