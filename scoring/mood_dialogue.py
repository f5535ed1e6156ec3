"""Dialogue cues of customer frustration that single-sentence sentiment misses.

Frustrated customers in service dialogues mostly repeat their request or answer curtly instead
of using negative words. These cues are pure functions of the turns (texts, speakers and their
embeddings), kept apart from the classifier so they can be tested and measured on their own.
Their strengths are hand-set, not fitted: the only dialogue data with satisfaction labels here
(USS) is for research use, so it is used to measure, never to train.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CUE_STRENGTH", "TurnCues", "content_words", "dialogue_cues"]

# Added to the negative-class logit of a customer turn when the cue fires.
CUE_STRENGTH = {"repeat": 1.6, "curt": 0.8, "after_bad_news": 0.4}
REPEAT_ESCALATION = 0.5
REPEAT_COSINE = 0.82
REPEAT_OVERLAP = 0.6
MIN_REPEAT_WORDS = 2
MIN_OVERLAP_WORDS = 3
AGENT_BAD_NEWS_PROB = 0.6
CURT_MAX_WORDS = 3
CURT_EARLIER_MEAN_WORDS = 7.0

_WORD = re.compile(r"[a-z0-9']+")
_STOP = frozenset(
    """a an the and or but so to of in on at for with from by about as is are was were be been
    am i me my we our you your it its this that these those there here do does did have has had
    can could would will shall should may might just please thanks thank hi hello ok okay yes no
    yeah not what when where which who how why if then than too very also any some all""".split()
)
_POLITE_OR_WARM = re.compile(
    r"\b(thanks?|thank you|cheers|great|perfect|lovely|brilliant|awesome|excellent|appreciate"
    r"|wonderful|fantastic|nice|cool|good)\b",
    re.IGNORECASE,
)
# A short answer that gives a number or code (postcode, order number) is not curt.
_DATA_ANSWER = re.compile(r"\d")
_BAD_NEWS = re.compile(
    r"\b(unfortunately|afraid|unable|can ?not|can't|couldn't|no (?:availability|results?"
    r"|matches|tickets|rooms|trains|flights)|not available|unavailable|fully booked|no longer"
    r"|doesn't match|does not match|nothing)\b",
    re.IGNORECASE,
)


_RESTATED = re.compile(
    r"\b(as i (?:said|mentioned|explained)|i (?:just |already )?(?:said|told you|explained|gave"
    r" you)|(?:once|yet) again|for the (?:second|third|fourth|last) time|how many (?:more )?times"
    r"|(?:still|again)[.!?]*$)|(?:^|[.,!?]\s*)again\b",
    re.IGNORECASE,
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    """Stems of a turn's words without function words, for repeat detection."""
    words = _WORD.findall(text.lower())
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


def _word_count(text: str) -> int:
    return len(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class TurnCues:
    """Which cues fired on a customer turn; ``repeat_of`` is the earlier turn it repeats."""

    repeat: bool = False
    repeat_of: int | None = None
    curt: bool = False
    after_bad_news: bool = False
    repeats_so_far: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in ("repeat", "curt", "after_bad_news") if getattr(self, n))

    def negative_shift(self) -> float:
        """Logit added to the negative class; each further repeat weighs half as much again."""
        escalation = 1.0 + REPEAT_ESCALATION * min(max(self.repeats_so_far - 1, 0), 2)
        shift = sum(CUE_STRENGTH[n] for n in self.names if n != "repeat")
        return shift + (CUE_STRENGTH["repeat"] * escalation if self.repeat else 0.0)


def _repeat_of(
    i: int, customer_idx: Sequence[int], texts: Sequence[str], emb: np.ndarray
) -> int | None:
    words = content_words(texts[i])
    earlier_turns = [c for c in customer_idx if c < i]
    if _RESTATED.search(texts[i]) and earlier_turns:
        return earlier_turns[-1]
    if len(words) < MIN_REPEAT_WORDS:
        return None
    for j in reversed(earlier_turns):
        earlier = content_words(texts[j])
        overlap = len(words & earlier) / len(words)
        if float(emb[i] @ emb[j]) >= REPEAT_COSINE or (
            overlap >= REPEAT_OVERLAP and len(words) >= MIN_OVERLAP_WORDS
        ):
            return j
    return None


def dialogue_cues(
    speakers: Sequence[str],
    texts: Sequence[str],
    embeddings: np.ndarray,
    agent_negative: Sequence[float],
    customer: str = "customer",
    agent: str = "agent",
) -> list[TurnCues | None]:
    """Cues for each turn (None for turns that are not the customer's).

    :param agent_negative: per turn, the classifier's probability that the turn is negative; a
        customer turn right after an agent's bad news ("sorry, nothing available") starts lower.
        A customer turn that says it restates ("as I said", "again") counts as a repeat.
    """
    customer_idx = [i for i, s in enumerate(speakers) if s == customer and texts[i].strip()]
    out: list[TurnCues | None] = [None] * len(texts)
    repeats = 0
    for pos, i in enumerate(customer_idx):
        repeat_of = _repeat_of(i, customer_idx, texts, embeddings)
        repeats += repeat_of is not None
        earlier = [_word_count(texts[j]) for j in customer_idx[:pos]]
        words = _word_count(texts[i])
        prev_agent = next((j for j in range(i - 1, -1, -1) if speakers[j] == agent), None)
        curt = (
            bool(earlier)
            and words <= CURT_MAX_WORDS
            and float(np.mean(earlier)) >= CURT_EARLIER_MEAN_WORDS
            and prev_agent is not None
            and not _POLITE_OR_WARM.search(texts[i])
            and not _DATA_ANSWER.search(texts[i])
        )
        bad_news = prev_agent is not None and (
            agent_negative[prev_agent] >= AGENT_BAD_NEWS_PROB
            or bool(_BAD_NEWS.search(texts[prev_agent]))
        )
        out[i] = TurnCues(repeat_of is not None, repeat_of, curt, bad_news, repeats)
    return out
