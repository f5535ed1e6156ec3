"""Which speaker is the agent, from what each one says; pure text heuristics.

Agents greet with the company's name, introduce themselves and offer help; customers explain a
problem about "my" things. The first minute weighs most because that is where greetings are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .types import Role

__all__ = ["RoleGuess", "agent_cue_score", "guess_roles"]

AGENT_CUES: tuple[tuple[str, float], ...] = (
    (r"\bthanks? (you )?for (calling|contacting|holding|waiting)\b", 3.0),
    (r"\bwelcome to\b", 2.5),
    (r"\bhow (can|may|could) (i|we) (help|assist)\b", 3.0),
    (r"\bwhat can i do for you\b", 2.5),
    (r"\b(my name is|this is) \w+( \w+)? speaking\b", 2.0),
    (r"\bmy name is\b", 1.0),
    (r"\bspeaking\b", 0.5),
    (r"\b(this|the) call (may|might|will) be recorded\b", 3.0),
    (r"\bcan (i|you) (have|confirm|verify)\b", 1.5),
    (r"\b(is there )?anything else (i|we) can (help|do)\b", 2.5),
    (r"\bi('m| am) going to (run|check|send|transfer)\b", 1.0),
    (r"\blet me (check|see|look)\b", 1.0),
    (r"\b(have a (great|good|nice) (day|evening))\b", 1.0),
    (r"\bsorry to hear\b", 1.0),
)
CUSTOMER_CUES: tuple[tuple[str, float], ...] = (
    (r"\bi('m| am) calling (about|because|to)\b", 2.0),
    (r"\bmy (internet|account|bill|card|order|phone|connection|payment|package)\b", 1.0),
    (r"\bi (need|want|would like) to (cancel|block|change|return|complain)\b", 1.5),
    (r"\bi (lost|forgot|can't|cannot)\b", 1.0),
    (r"\bthank you so much for your help\b", 1.0),
)
GREETING_WINDOW = 60.0


@dataclass(frozen=True)
class RoleGuess:
    """Role per speaker label, the agent's label and how sure the guess is (0.5 = a coin)."""

    roles: dict[str, Role]
    agent: str | None
    confidence: float


def _score(text: str, cues: Sequence[tuple[str, float]]) -> float:
    lowered = text.lower()
    return sum(weight * len(re.findall(pattern, lowered)) for pattern, weight in cues)


def agent_cue_score(
    early_text: str, late_text: str = "", company_names: Sequence[str] = ()
) -> float:
    """Agent-likeness of one speaker: agent cues minus customer cues, greetings counted double."""
    score = 2 * _score(early_text, AGENT_CUES) + _score(late_text, AGENT_CUES)
    score -= _score(early_text + " " + late_text, CUSTOMER_CUES)
    for name in company_names:
        if name and name.lower() in early_text.lower():
            score += 2.0
    return score


def guess_roles(
    utterances: Sequence[tuple[str, float, str]],
    speakers: Sequence[str],
    company_names: Sequence[str] = (),
) -> RoleGuess:
    """Pick the agent among ``speakers`` from (speaker, start, text) utterances.

    With two speakers the other one is the customer; extra speakers stay ``unknown``. With no
    cue at all, the first to speak is taken as the agent (inbound calls open with the agent's
    greeting) at a confidence barely above a coin toss.
    """
    if not speakers:
        return RoleGuess({}, None, 0.0)
    start = min((u[1] for u in utterances), default=0.0)
    scores: dict[str, float] = {}
    first_said: dict[str, float] = {}
    for speaker in speakers:
        own = [(t, text) for s, t, text in utterances if s == speaker]
        early = " ".join(text for t, text in own if t - start < GREETING_WINDOW)
        late = " ".join(text for t, text in own if t - start >= GREETING_WINDOW)
        scores[speaker] = agent_cue_score(early, late, company_names)
        first_said[speaker] = min((t for t, _ in own), default=math.inf)
    ranked = sorted(speakers, key=lambda s: (-scores[s], first_said[s]))
    agent = ranked[0]
    margin = scores[agent] - (scores[ranked[1]] if len(ranked) > 1 else 0.0)
    if margin > 0:
        confidence = 1 / (1 + math.exp(-0.8 * margin))
    else:
        agent = min(speakers, key=lambda s: first_said[s])
        confidence = 0.55
    roles: dict[str, Role] = {s: "unknown" for s in speakers}
    roles[agent] = "agent"
    talkers = [s for s in ranked if s != agent and first_said[s] < math.inf]
    if len(speakers) == 2:
        other = next(s for s in speakers if s != agent)
        roles[other] = "customer"
    elif talkers:
        roles[talkers[0]] = "customer"
    return RoleGuess(roles, agent, min(confidence, 0.99))
