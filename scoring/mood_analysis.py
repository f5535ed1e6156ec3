"""Customer mood per turn and per interaction, and the agent's tone.

Each turn is read by the shipped classifier (:mod:`scoring.mood_model`) on its sentence
embedding; customer turns are then lowered by dialogue cues (:mod:`scoring.mood_dialogue`).
The interaction summary compares the opening and closing customer turns, so a call that starts
angry and ends relieved reads "better" even when its average is negative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scoring.mood_dialogue import dialogue_cues
from scoring.mood_model import LABELS, features, load_model, softmax
from scoring.mood_types import InteractionMood, MoodChange, TextMood, TurnMood
from scoring.types import AGENT, CUSTOMER, UNKNOWN, Interaction

__all__ = [
    "Encoder",
    "interaction_mood",
    "interaction_moods",
    "label_for_score",
    "mood_trajectory_score",
    "summarize_turns",
    "text_moods",
    "turn_moods",
]

Encoder = Callable[[Sequence[str]], np.ndarray]

# A summary score this far from 0 gets a polar label; trajectories need this much change.
LABEL_MARGIN = 0.2
TRAJECTORY_MARGIN = 0.25
# Opening and closing windows: this many customer turns each (one in dialogues of under 4).
WINDOW = 2


def _encode(encode: Encoder | None, texts: Sequence[str]) -> np.ndarray:
    if encode is None:
        from scoring.encoder import encode as encode_default

        encode = encode_default
    return np.asarray(encode(list(texts)), dtype=np.float64).reshape(len(texts), -1)


def label_for_score(score: float) -> str:
    """Label of a summary score in -1..1 (negative below -0.2, positive above 0.2)."""
    if score <= -LABEL_MARGIN:
        return "negative"
    if score >= LABEL_MARGIN:
        return "positive"
    return "neutral"


def _read(probs: np.ndarray) -> tuple[str, float]:
    return LABELS[int(probs.argmax())], float(probs[2] - probs[0])


def text_moods(texts: Sequence[str], encode: Encoder | None = None) -> list[TextMood]:
    """Mood of stand-alone texts (a review, a social comment): no dialogue context."""
    if not texts:
        return []
    probs = softmax(load_model().logits(features(_encode(encode, texts), texts)))
    return [TextMood(*_read(p)) for p in probs]


def turn_moods(
    speakers: Sequence[str],
    texts: Sequence[str],
    embeddings: np.ndarray,
    dialogue: bool = True,
) -> list[TurnMood | None]:
    """Mood of every turn from precomputed embeddings (None for empty turns).

    Speakers other than agent are read as the customer when no turn is marked customer, so
    transcripts without roles still get a mood. ``dialogue=False`` skips the cues (for
    measuring what they add).
    """
    if not texts:
        return []
    if CUSTOMER not in speakers:
        speakers = [CUSTOMER if s != AGENT else s for s in speakers]
    logits = load_model().logits(features(embeddings, texts))
    probs = softmax(logits)
    agent_negative = [float(p[0]) for p in probs]
    cues = dialogue_cues(speakers, texts, embeddings, agent_negative, CUSTOMER, AGENT)
    out: list[TurnMood | None] = []
    for i, text in enumerate(texts):
        if not text.strip():
            out.append(None)
            continue
        row = logits[i].copy()
        names: tuple[str, ...] = ()
        turn_cues = cues[i]
        if dialogue and turn_cues is not None and turn_cues.names:
            row[0] += turn_cues.negative_shift()
            names = turn_cues.names
        label, score = _read(softmax(row))
        out.append(TurnMood(i, speakers[i], label, score, names))
    return out


def summarize_turns(
    interaction_id: str, turns: Sequence[TurnMood], texts: Sequence[str]
) -> InteractionMood:
    """Summary of turn moods: overall, start, end, lowest point, trajectory and its evidence."""
    customer = [t for t in turns if t.speaker == CUSTOMER]
    agent = [t for t in turns if t.speaker == AGENT]
    agent_score = float(np.mean([t.score for t in agent])) if agent else None
    agent_label = None if agent_score is None else label_for_score(agent_score)
    if not customer:
        return InteractionMood(
            interaction_id, "neutral", 0.0, "neutral", "neutral", 0.0, 0.0, "same", None, (),
            tuple(turns), agent_label, agent_score,
        )  # fmt: skip
    window = WINDOW if len(customer) >= 4 else 1
    start_score = float(np.mean([t.score for t in customer[:window]]))
    end_score = float(np.mean([t.score for t in customer[-window:]]))
    delta = end_score - start_score
    trajectory = "same"
    if delta >= TRAJECTORY_MARGIN:
        trajectory = "better"
    elif delta <= -TRAJECTORY_MARGIN:
        trajectory = "worse"
    changes = tuple(
        MoodChange(cur.turn, prev.label, cur.label, texts[cur.turn])
        for prev, cur in zip(customer, customer[1:], strict=False)
        if cur.label != prev.label
    )
    score = float(np.mean([t.score for t in customer]))
    return InteractionMood(
        interaction_id=interaction_id,
        label=label_for_score(score),
        score=score,
        start=label_for_score(start_score),
        end=label_for_score(end_score),
        start_score=start_score,
        end_score=end_score,
        trajectory=trajectory,
        lowest=min(customer, key=lambda t: t.score),
        changes=changes,
        turns=tuple(turns),
        agent_label=agent_label,
        agent_score=agent_score,
    )


def interaction_moods(
    interactions: Sequence[Interaction], encode: Encoder | None = None
) -> list[InteractionMood]:
    """Mood of each interaction; all turns are encoded in one call."""
    texts = [t.text for item in interactions for t in item.turns]
    embeddings = _encode(encode, texts) if texts else np.zeros((0, 0))
    out, offset = [], 0
    for item in interactions:
        n = len(item.turns)
        turn_texts = [t.text for t in item.turns]
        speakers = [t.speaker if t.speaker in (AGENT, CUSTOMER) else UNKNOWN for t in item.turns]
        moods = turn_moods(speakers, turn_texts, embeddings[offset : offset + n])
        offset += n
        kept = [m for m in moods if m is not None]
        out.append(summarize_turns(item.interaction_id, kept, turn_texts))
    return out


def interaction_mood(interaction: Interaction, encode: Encoder | None = None) -> InteractionMood:
    """Mood of one interaction (see :func:`interaction_moods`)."""
    return interaction_moods([interaction], encode)[0]


def mood_trajectory_score(result: InteractionMood) -> float:
    """0..1 for coaching history: 1 = the customer ended better than they started, 0 = worse.

    0.5 plus half the change between the closing and opening scores, clipped; a call with no
    customer turns scores 0.5.
    """
    if result.lowest is None:
        return 0.5
    return float(np.clip(0.5 + 0.5 * (result.end_score - result.start_score), 0.0, 1.0))
