"""Back-test a draft taxonomy on stored history before publishing it.

Runs the published and the draft taxonomy over the same precomputed segment embeddings (stored
once at ingest), so no history is re-encoded: only the draft's examples are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.tagging_core import Tagger
from scoring.tagging_rules import RuleRunner
from scoring.tagging_semantic import Encode
from scoring.taxonomy import Taxonomy
from scoring.types import UNKNOWN, Interaction, Turn

__all__ = ["BacktestReport", "TagChange", "backtest", "change_status"]


@dataclass(frozen=True)
class TagChange:
    """How one tag's assignments move from the old taxonomy to the new one.

    ``status`` is ``added``, ``removed``, ``changed`` (its definition differs) or
    ``unchanged`` (same definition, moved by a change elsewhere, e.g. a new rival tag).
    Samples are item ids, in history order, for a reviewer to read.
    """

    tag: str
    status: str
    before: int
    after: int
    gained: int
    lost: int
    gained_sample: tuple[str, ...]
    lost_sample: tuple[str, ...]


@dataclass(frozen=True)
class BacktestReport:
    items: int
    changes: tuple[TagChange, ...]


def _items(
    texts: Sequence[str | Sequence[str] | Interaction], ids: Sequence[str] | None
) -> list[Interaction]:
    items = []
    for n, entry in enumerate(texts):
        item_id = str(n) if ids is None else str(ids[n])
        if isinstance(entry, Interaction):
            items.append(entry)
        elif isinstance(entry, str):
            items.append(Interaction(item_id, (Turn(0, UNKNOWN, entry),), source="item"))
        else:
            turns = tuple(Turn(i, UNKNOWN, text) for i, text in enumerate(entry))
            items.append(Interaction(item_id, turns, source="turns"))
    return items


def _vectors(embeddings: np.ndarray | Sequence[np.ndarray], count: int) -> list[np.ndarray]:
    if isinstance(embeddings, np.ndarray) and embeddings.ndim == 2:
        if len(embeddings) != count:
            raise ValueError(f"{len(embeddings)} embedding rows for {count} items")
        return [embeddings[n : n + 1] for n in range(count)]
    vectors = [np.atleast_2d(np.asarray(e, dtype=np.float32)) for e in embeddings]
    if len(vectors) != count:
        raise ValueError(f"{len(vectors)} embedding arrays for {count} items")
    return vectors


def change_status(key: str, old: Taxonomy, new: Taxonomy) -> str:
    """How a tag's definition moved: ``added``, ``removed``, ``changed`` or ``unchanged``."""
    before, after = old.get(key), new.get(key)
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "unchanged" if before == after else "changed"


def backtest(
    old_taxonomy: Taxonomy,
    new_taxonomy: Taxonomy,
    embeddings: np.ndarray | Sequence[np.ndarray],
    texts: Sequence[str | Sequence[str] | Interaction],
    *,
    ids: Sequence[str] | None = None,
    sample: int = 5,
    encode: Encode | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> BacktestReport:
    """Per tag, how many stored items gain and lose it under the new taxonomy.

    :param embeddings: per item, its segments' stored vectors, a (segments, 384) array whose
        rows follow the item's segments; or one (items, 384) array for one-segment items.
    :param texts: per item, its text, its segment texts, or the Interaction itself (which
        keeps speakers and times for rules that use them; plain texts have neither).
    :param ids: item ids for the samples (default: positions).
    :param progress: called as ``progress(step, completed, total)`` after each of the three
        steps (``published``, ``draft``, ``compare``).
    :return: tags whose assignments or definitions differ, most moved first.
    """
    items = _items(texts, ids)
    vectors = _vectors(embeddings, len(items))
    shared_rules = RuleRunner(items)
    old_tagger, new_tagger = Tagger(old_taxonomy, encode), Tagger(new_taxonomy, encode)
    report = progress or (lambda step, done, total: None)
    old = old_tagger.score(items, vectors, shared_rules)
    report("published", 1, 3)
    new = new_tagger.score(items, vectors, shared_rules)
    report("draft", 2, 3)
    old_keys = [t.key for t in old_taxonomy.tags]
    new_keys = [t.key for t in new_taxonomy.tags]
    old_on = old.confidence >= old_tagger.thresholds
    new_on = new.confidence >= new_tagger.thresholds
    none = np.zeros(len(items), dtype=bool)
    changes = []
    for key in dict.fromkeys(old_keys + new_keys):
        before = old_on[:, old_keys.index(key)] if key in old_keys else none
        after = new_on[:, new_keys.index(key)] if key in new_keys else none
        gained = np.flatnonzero(after & ~before)
        lost = np.flatnonzero(before & ~after)
        status = change_status(key, old_taxonomy, new_taxonomy)
        if status == "unchanged" and not len(gained) and not len(lost):
            continue
        changes.append(
            TagChange(
                tag=key,
                status=status,
                before=int(before.sum()),
                after=int(after.sum()),
                gained=len(gained),
                lost=len(lost),
                gained_sample=tuple(items[n].interaction_id for n in gained[:sample]),
                lost_sample=tuple(items[n].interaction_id for n in lost[:sample]),
            )
        )
    changes.sort(key=lambda c: -(c.gained + c.lost))
    report("compare", 3, 3)
    return BacktestReport(items=len(items), changes=tuple(changes))
