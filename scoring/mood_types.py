"""Plain results of the mood scorer, in the output schema of ``python -m scoring.mood``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["InteractionMood", "MoodChange", "TextMood", "TurnMood"]


@dataclass(frozen=True)
class TextMood:
    """Mood of one text: ``score`` in -1..1 (P(positive) - P(negative))."""

    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(self.score, 4)}


@dataclass(frozen=True)
class TurnMood:
    """Mood of one turn; ``turn`` is its index in the input turns, ``cues`` the dialogue cues
    (repeat, curt, after_bad_news) that lowered a customer turn."""

    turn: int
    speaker: str
    label: str
    score: float
    cues: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "turn": self.turn,
            "speaker": self.speaker,
            "label": self.label,
            "score": round(self.score, 4),
        }
        if self.cues:
            out["cues"] = list(self.cues)
        return out


@dataclass(frozen=True)
class MoodChange:
    """A customer turn where the mood label moved: the evidence behind a trajectory."""

    turn: int
    before: str
    after: str
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "from": self.before, "to": self.after, "quote": self.quote}


@dataclass(frozen=True)
class InteractionMood:
    """Customer mood over one interaction, and the agent's tone apart from it.

    ``start``/``end`` are the labels of the opening and closing customer turns (their mean
    scores in ``start_score``/``end_score``); ``trajectory`` is better, worse or same;
    ``lowest`` the customer's lowest turn; ``changes`` the turns where the label moved.
    """

    interaction_id: str
    label: str
    score: float
    start: str
    end: str
    start_score: float
    end_score: float
    trajectory: str
    lowest: TurnMood | None
    changes: tuple[MoodChange, ...]
    turns: tuple[TurnMood, ...]
    agent_label: str | None = None
    agent_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        agent = None
        if self.agent_label is not None and self.agent_score is not None:
            agent = {"label": self.agent_label, "score": round(self.agent_score, 4)}
        return {
            "label": self.label,
            "score": round(self.score, 4),
            "start": self.start,
            "end": self.end,
            "trajectory": self.trajectory,
            "lowest": None if self.lowest is None else self.lowest.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "agent": agent,
            "turns": [t.to_dict() for t in self.turns],
        }
