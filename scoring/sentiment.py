"""Customer sentiment with VADER, which ships its lexicon (no model download)."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["compound", "may_be_negative"]


@lru_cache(maxsize=1)
def _analyzer():  # type: ignore[no-untyped-def]
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=4096)
def compound(text: str) -> float:
    """VADER compound score in -1..1 (0 for empty text)."""
    if not text.strip():
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])


@lru_cache(maxsize=1)
def _negative_words() -> frozenset[str]:
    from vaderSentiment.vaderSentiment import NEGATE

    lexicon = _analyzer().lexicon
    return frozenset(w for w, v in lexicon.items() if v < 0) | frozenset(NEGATE)


def may_be_negative(text: str) -> bool:
    """Cheap pre-check: without a negative or negating word VADER cannot score it negative."""
    negative = _negative_words()
    return any(w.strip('.,!?;:"()') in negative for w in text.lower().split())
