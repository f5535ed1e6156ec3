"""Scripted-sounding delivery, per agent turn (1 = natural and personal, 0 = canned throughout).

A turn is flagged when it (a) is mostly a phrase from the configured canned-phrase library,
(b) is near-identical to the same agent's turn in another interaction of the batch or context
(phrases the rubric expects, such as the greeting or disclosure, excepted), or (c) is generic:
it shares nothing with what the customer just said and carries little specific content.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from rapidfuzz import fuzz, process

from scoring.criteria._common import evidence
from scoring.registry import CriterionInput, register
from scoring.text import STOPWORDS, content_words, fuzzy_find, normalize, stem
from scoring.types import CriterionResult, Evidence, Turn

_NUMBER = re.compile(r"\b\w*\d\w*\b")

DEFAULTS = {
    "canned_phrases": [
        "we apologize for any inconvenience this may have caused",
        "i apologize for the inconvenience",
        "your call is important to us",
        "thank you for your patience",
        "i understand your frustration",
        "we value you as a customer",
        "please bear with me",
        "i will be happy to assist you with that",
        "we are sorry for the inconvenience",
        "thank you for your understanding and support",
        "thanks for reaching out",
        "hope this helps",
    ],
    "canned_threshold": 0.88,
    "canned_coverage": 0.6,
    "expected_phrases": [
        "thank you for calling",
        "my name is",
        "how can i help you today",
        "this call may be recorded for quality and training purposes",
        "is there anything else i can help you with",
        "anything else i can help with",
        "have a great day",
        "have a nice day",
        "thank you for contacting",
        "thanks for contacting",
    ],
    "repeat_threshold": 0.88,
    "min_words": 5,
    "generic_words": [
        "sorry",
        "apologize",
        "apologise",
        "inconvenience",
        "understand",
        "happy",
        "help",
        "assist",
        "glad",
        "great",
        "sure",
        "course",
        "absolutely",
        "patience",
        "understanding",
        "support",
        "reaching",
        "contact",
        "information",
        "check",
        "look",
        "issue",
        "problem",
        "right",
        "good",
        "nice",
        "sounds",
        "something",
        "thing",
        "things",
        "way",
        "much",
        "lot",
    ],
    "specific_at": 0.35,
}


def _specificity(turn: Turn, previous: str, generic: frozenset[str]) -> float:
    """0..1: how much the turn says that only fits this conversation."""
    own = [w for w in content_words(turn.text) if w not in generic]
    said = set(content_words(previous))
    overlap = sum(1 for w in set(own) if w in said)
    digits = len(_NUMBER.findall(turn.text))
    amount = 0.25 * len(set(own)) + 0.6 * overlap + 0.3 * min(digits, 3)
    return 1 - math.exp(-amount)


def _peer_texts(request: CriterionInput) -> list[str]:
    """Normalised agent turns of the same agent in the other interactions of batch and context."""
    me = request.interaction
    peers: list[str] = []
    seen: set[str] = set()
    for other in (*request.batch, *request.context.history):
        if other.interaction_id == me.interaction_id or other.agent_id != me.agent_id:
            continue
        if other.interaction_id in seen:
            continue
        seen.add(other.interaction_id)
        peers.extend(normalize(t.text) for t in other.agent_turns)
    return [p for p in peers if p]


def _coverage(text: str, phrases: list[str], threshold: float) -> tuple[float, list[str]]:
    """Share of the turn made of the given phrases (fuzzy), and which ones."""
    matched = [p for p in phrases if fuzzy_find([p], text, threshold)]
    covered = sum(len(normalize(p)) for p in matched)
    return covered / max(1, len(normalize(text))), matched


def turn_flags(request: CriterionInput) -> list[tuple[Turn, list[str], float]]:
    """Each agent turn with its flags (reasons) and its specificity."""
    cfg = request.settings
    generic = frozenset(stem(w) for w in (*cfg["generic_words"], *STOPWORDS))
    peers = _peer_texts(request)
    threshold = float(cfg["repeat_threshold"]) * 100
    within: dict[str, list[int]] = defaultdict(list)
    results = []
    previous = ""
    for turn in request.interaction.turns:
        if not turn.is_agent:
            if turn.is_customer:
                previous = turn.text
            continue
        text = normalize(turn.text)
        flags: list[str] = []
        long_enough = len(text.split()) >= int(cfg["min_words"])
        threshold_a = float(cfg["canned_threshold"])
        expected = (
            long_enough and _coverage(turn.text, cfg["expected_phrases"], threshold_a)[0] >= 0.6
        )
        if long_enough and not expected:
            share, canned = _coverage(turn.text, cfg["canned_phrases"], threshold_a)
            if share >= float(cfg["canned_coverage"]):
                flags.append("canned phrase: " + "; ".join(f"'{c}'" for c in canned))
            hit = process.extractOne(text, peers, scorer=fuzz.ratio, score_cutoff=threshold)
            if hit is not None:
                flags.append(
                    f"near-identical to this agent's turn in another interaction ({hit[1]:.0f}%)"
                )
            for earlier in within:
                if fuzz.ratio(text, earlier) >= threshold:
                    flags.append("repeats the agent's own earlier turn in this interaction")
                    break
            within[text].append(turn.id)
        specificity = _specificity(turn, previous, generic)
        if previous and specificity < float(cfg["specific_at"]) and not expected:
            flags.append("generic: does not engage what the customer said")
        results.append((turn, flags, specificity))
    return results


@register("scripted_phrasing", DEFAULTS)
def score_scripted(request: CriterionInput) -> CriterionResult:
    """1 - share of flagged agent turns; evidence lists each flagged turn with its reasons."""
    flagged = turn_flags(request)
    if not flagged:
        return CriterionResult(None, "no agent turns", 1.0)
    found: list[Evidence] = [evidence(t, "; ".join(f)) for t, f, _ in flagged if f]
    share = len(found) / len(flagged)
    label = "natural" if share < 0.2 else "partly scripted" if share < 0.6 else "scripted"
    details = {
        "scripted_ratio": share,
        "turns": [
            {"segment": t.id, "flags": list(f), "specificity": round(s, 4)} for t, f, s in flagged
        ],
    }
    return CriterionResult(
        1 - share, label, 0.6 + 0.3 * abs(share - 0.5) * 2, tuple(found), details
    )
