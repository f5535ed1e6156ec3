"""Exact tag rules: stemmed phrases on word boundaries, with any/all/none/near, speaker, window.

Pure functions over turns, so a rule's verdict can be explained ("phrase 'refund'") and
re-run on stored history without the encoder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from scoring.taxonomy import Rule
from scoring.types import AGENT, CUSTOMER, Interaction, Turn

__all__ = [
    "RuleHit",
    "RuleOutcome",
    "RuleRunner",
    "excluded",
    "match_rule",
    "stem",
    "stem_tokens",
]

_WORD = re.compile(r"[a-z0-9]+")
_CONTRACTIONS = (("won't", "will not"), ("can't", "can not"), ("n't", " not"), ("'", " "))
_UNDOUBLE = frozenset("bdgmnprt")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small suffix stripper: 'charged', 'charges', 'charging' and 'charge' all give 'charg'.

    Deliberately light (plural, -ed, -ing, final e): rules are written by people who expect
    'refund' to match 'refunds' and 'refunded', not 'refundable' to match 'fun'.
    """
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] in _UNDOUBLE:
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@lru_cache(maxsize=262144)
def stem_tokens(text: str) -> tuple[str, ...]:
    """Lower-cased, contraction-expanded, stemmed words of a text."""
    text = text.lower().replace("\u2019", "'")
    for short, long in _CONTRACTIONS:
        text = text.replace(short, long)
    return tuple(stem(w) for w in _WORD.findall(text))


@dataclass(frozen=True)
class RuleHit:
    """Where a rule matched: the turn id and the phrase that counted."""

    segment: int | None
    quote: str
    why: str


@lru_cache(maxsize=262144)
def _indexed(text: str) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """Stemmed tokens of a text and where each stem occurs, so most phrases fail in one lookup."""
    tokens = stem_tokens(text)
    where: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        where.setdefault(tok, []).append(i)
    return tokens, where


def _positions(text: str, phrase: tuple[str, ...]) -> list[int]:
    if not phrase:
        return []
    tokens, where = _indexed(text)
    n = len(phrase)
    return [i for i in where.get(phrase[0], ()) if n == 1 or tokens[i : i + n] == phrase]


def _eligible(rule: Rule, turns: Sequence[Turn]) -> list[Turn]:
    """Turns the rule may read: its speaker (turns with no known party count for any) and window."""
    wanted = {"agent": AGENT, "customer": CUSTOMER}.get(rule.speaker)
    chosen = []
    last_end = max((t.end for t in turns if t.end is not None), default=None)
    for index, turn in enumerate(turns):
        if wanted is not None and turn.speaker in (AGENT, CUSTOMER) and turn.speaker != wanted:
            continue
        if rule.first_turns is not None and index >= rule.first_turns:
            continue
        # Text channels have no clock: a time window cannot exclude their turns.
        if rule.first_s is not None and turn.start is not None and turn.start >= rule.first_s:
            continue
        if (
            rule.last_s is not None
            and turn.end is not None
            and last_end is not None
            and turn.end < last_end - rule.last_s
        ):
            continue
        chosen.append(turn)
    return chosen


def _near(text: str, phrases: list[tuple[str, ...]], within: int) -> int | None:
    """Start of a span of at most ``within`` words holding every phrase, or None."""
    starts = [_positions(text, p) for p in phrases]
    if not all(starts):
        return None
    for anchor in sorted(p for s in starts for p in s):
        if all(any(anchor <= p <= anchor + within for p in s) for s in starts):
            return anchor
    return None


def match_rule(rule: Rule, turns: Sequence[Turn]) -> list[RuleHit] | None:
    """The evidence for a matching rule, or None when it does not match.

    Every given part must hold: one ``any`` phrase, each ``all`` phrase (anywhere in the
    readable turns), the ``near`` terms together in one turn, and no ``none`` phrase.
    """
    readable = _eligible(rule, turns)
    if not readable:
        return None

    def find(phrase: str) -> list[RuleHit]:
        key = stem_tokens(phrase)
        return [
            RuleHit(turn.id, turn.text, f"phrase '{phrase}'")
            for turn in readable
            if _positions(turn.text, key)
        ]

    if any(find(p) for p in rule.none):
        return None
    hits: list[RuleHit] = []
    if rule.any:
        found = [h for p in rule.any for h in find(p)]
        if not found:
            return None
        hits.extend(found)
    for phrase in rule.all:
        found = find(phrase)
        if not found:
            return None
        hits.extend(found)
    if rule.near_terms:
        keys = [stem_tokens(p) for p in rule.near_terms]
        terms = " ".join(f"'{p}'" for p in rule.near_terms)
        near = [
            RuleHit(turn.id, turn.text, f"{terms} within {rule.near_within} words")
            for turn in readable
            if _near(turn.text, keys, rule.near_within) is not None
        ]
        if not near:
            return None
        hits.extend(near)
    return _dedupe(hits)


def _dedupe(hits: list[RuleHit]) -> list[RuleHit]:
    """One hit per segment, its reasons joined, in segment order of first appearance."""
    merged: dict[int | None, RuleHit] = {}
    for hit in hits:
        old = merged.get(hit.segment)
        if old is None:
            merged[hit.segment] = hit
        elif hit.why not in old.why:
            merged[hit.segment] = RuleHit(hit.segment, hit.quote, f"{old.why}, {hit.why}")
    return list(merged.values())


def excluded(rule: Rule, turns: Sequence[Turn]) -> str | None:
    """The ``none`` phrase found in the turns the rule reads, which vetoes the tag, or None."""
    readable = _eligible(rule, turns)
    for phrase in rule.none:
        key = stem_tokens(phrase)
        if any(_positions(turn.text, key) for turn in readable):
            return phrase
    return None


@dataclass(frozen=True)
class RuleOutcome:
    """Where one rule matched (item index -> hits) and which items it vetoed (-> phrase)."""

    hits: dict[int, list[RuleHit]]
    vetoes: dict[int, str]


class RuleRunner:
    """Runs rules over one list of items, reading only the items that hold a rule's words.

    An index from stem to items is built on first use, so over 100k stored items a rule
    costs a dictionary look-up per phrase plus a check of the few items that contain it.
    Outcomes are kept per rule: two taxonomy versions share the work of unchanged rules.
    """

    def __init__(self, interactions: Sequence[Interaction]) -> None:
        self._items = interactions
        self._index: dict[str, set[int]] | None = None
        self._outcomes: dict[Rule, RuleOutcome] = {}

    def _candidates(self, phrases: Sequence[str]) -> set[int]:
        if self._index is None:
            index: dict[str, set[int]] = {}
            for n, item in enumerate(self._items):
                for turn in item.turns:
                    for stem_ in _indexed(turn.text)[1]:
                        index.setdefault(stem_, set()).add(n)
            self._index = index
        found: set[int] = set()
        for phrase in phrases:
            key = stem_tokens(phrase)
            if key:
                found |= self._index.get(key[0], set())
        return found

    def outcome(self, rule: Rule) -> RuleOutcome:
        if rule not in self._outcomes:
            hits: dict[int, list[RuleHit]] = {}
            vetoes: dict[int, str] = {}
            for n in sorted(self._candidates(rule.none)):
                phrase = excluded(rule, self._items[n].turns)
                if phrase is not None:
                    vetoes[n] = phrase
            positive = (*rule.any, *rule.all, *rule.near_terms)
            for n in sorted(self._candidates(positive) - vetoes.keys()):
                found = match_rule(rule, self._items[n].turns)
                if found:
                    hits[n] = found
            self._outcomes[rule] = RuleOutcome(hits, vetoes)
        return self._outcomes[rule]
