"""Back-test a draft against the published version over all stored history.

The library's ``scoring.backtest`` compares two taxonomies over items held in memory; stored
history does not fit in memory at 100k interactions (a row of 384 floats per segment), so this
runs the same comparison batch by batch with one compiled ``Tagger`` per version (examples are
encoded once, history never) and adds the counts up. Samples are then explained with the
tagger's evidence, quoted from the redacted text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

import scoring
from qa_app.tagging.adaptation import adaptation_sample
from qa_app.tagging.history import DEFAULT_BATCH, count_history, iter_history, redacted_texts
from qa_app.tagging.library import to_library
from qa_app.tagging.models import Taxonomy
from qa_app.timeutil import utcnow
from scoring import encoder
from scoring.tagging_backtest import change_status
from scoring.tagging_rules import RuleRunner

Progress = Callable[[str, int, int], None]
SAMPLE = 5
_CACHE_LIMIT = 20_000


class _ExampleVectors:
    """The encoder, remembering each text it encoded: a draft shares most of its examples
    with the published version, and a worker back-tests the same draft again after small
    edits, so only new examples cost encoder time."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            if missing:
                if len(self._vectors) + len(missing) > _CACHE_LIMIT:
                    self._vectors.clear()
                self._vectors.update(zip(missing, encoder.encode(missing), strict=True))
            if not texts:
                return np.zeros((0, encoder.DIMENSIONS), dtype=np.float32)
            return np.stack([self._vectors[t] for t in texts])


example_vectors = _ExampleVectors()


@dataclass
class _Counts:
    before: int = 0
    after: int = 0
    gained: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    gained_total: int = 0
    lost_total: int = 0


def compare_taxonomies(
    old_tagger: scoring.Tagger,
    new_tagger: scoring.Tagger,
    *,
    batch_size: int = DEFAULT_BATCH,
    sample: int = SAMPLE,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Per tag, before/after counts and the interactions that gain or lose it.

    :return: ``{"items", "seconds", "changes": [{tag, status, before, after, gained, lost,
        gained_ids, lost_ids}]}``, most moved first; unchanged tags that did not move are left
        out.
    """
    started = time.perf_counter()
    report = progress or (lambda step, done, total: None)
    total = count_history()
    report("history", 0, total)
    old, new = old_tagger.taxonomy, new_tagger.taxonomy
    old_keys, new_keys = list(old_tagger.keys), list(new_tagger.keys)
    keys = list(dict.fromkeys(old_keys + new_keys))
    counts = {k: _Counts() for k in keys}
    done = 0
    for batch in iter_history(batch_size=batch_size):
        rules = RuleRunner(batch.items)  # an unchanged rule runs once for both versions
        old_conf = old_tagger.score(batch.items, batch.vectors, rules).confidence
        new_conf = new_tagger.score(batch.items, batch.vectors, rules).confidence
        old_on = old_conf >= old_tagger.thresholds
        new_on = new_conf >= new_tagger.thresholds
        none = np.zeros(len(batch), dtype=bool)
        ids = np.asarray(batch.ids)
        for key in keys:
            before = old_on[:, old_keys.index(key)] if key in old_keys else none
            after = new_on[:, new_keys.index(key)] if key in new_keys else none
            c = counts[key]
            c.before += int(before.sum())
            c.after += int(after.sum())
            gained, lost = ids[after & ~before], ids[before & ~after]
            c.gained_total += len(gained)
            c.lost_total += len(lost)
            c.gained.extend(int(i) for i in gained[: max(0, sample - len(c.gained))])
            c.lost.extend(int(i) for i in lost[: max(0, sample - len(c.lost))])
        done += len(batch)
        report("history", done, total)
    changes = []
    for key, c in counts.items():
        status = change_status(key, old, new)
        if status == "unchanged" and not (c.gained_total or c.lost_total):
            continue
        changes.append(
            {
                "tag": key,
                "status": status,
                "before": c.before,
                "after": c.after,
                "gained": c.gained_total,
                "lost": c.lost_total,
                "gained_ids": c.gained,
                "lost_ids": c.lost,
            }
        )
    # edited tags first, then tags moved by an edit elsewhere (a parent's roll-up, a rival)
    changes.sort(key=lambda c: (c["status"] == "unchanged", -(c["gained"] + c["lost"]), c["tag"]))
    return {"items": done, "seconds": round(time.perf_counter() - started, 3), "changes": changes}


def _quotes(
    tagger: scoring.Tagger, wanted: dict[int, set[str]], texts: dict[tuple[int, int], str]
) -> dict[tuple[int, str], dict[str, Any]]:
    """(interaction, tag) -> the best evidence, quoted from the redacted text."""
    out: dict[tuple[int, str], dict[str, Any]] = {}
    if not wanted:
        return out
    for batch in iter_history(interaction_ids=wanted):
        for interaction_id, result in zip(
            batch.ids, tagger.tag(batch.items, batch.vectors), strict=True
        ):
            for match in result.tags:
                if match.tag not in wanted[interaction_id] or not match.evidence:
                    continue
                ev = match.evidence[0]
                position = 0 if ev.segment is None else ev.segment
                out[(interaction_id, match.tag)] = {
                    "quote": texts.get((interaction_id, position), ""),
                    "why": ev.why,
                    "confidence": round(match.confidence, 2),
                }
    return out


def backtest_draft(
    draft: Taxonomy,
    published: Taxonomy | None,
    *,
    batch_size: int = DEFAULT_BATCH,
    sample: int = SAMPLE,
    progress: Progress | None = None,
    cutoff: datetime | None = None,
) -> dict[str, Any]:
    """The back-test result stored on the run: counts per changed tag, samples explained.

    Both versions adapt to ONE history sample (what the app's tagger does, see
    ``qa_app.tagging.adaptation``), so the comparison is fair.

    :param cutoff: the history the sample is drawn from ends here: the run's creation time
        (default now).
    :raise scoring.TaxonomyError: the draft does not validate.
    """
    new = to_library(draft)
    old = to_library(published) if published is not None else scoring.Taxonomy(new.kinds, ())
    old_tagger = scoring.Tagger(old, example_vectors)
    new_tagger = scoring.Tagger(new, example_vectors)
    history = adaptation_sample(cutoff or utcnow())
    if history is not None:
        old_tagger, new_tagger = old_tagger.adapt(history), new_tagger.adapt(history)
    result = compare_taxonomies(
        old_tagger, new_tagger, batch_size=batch_size, sample=sample, progress=progress
    )
    gained_wanted: dict[int, set[str]] = {}
    lost_wanted: dict[int, set[str]] = {}
    for change in result["changes"]:
        for i in change["gained_ids"]:
            gained_wanted.setdefault(i, set()).add(change["tag"])
        for i in change["lost_ids"]:
            lost_wanted.setdefault(i, set()).add(change["tag"])
    texts = redacted_texts([*gained_wanted, *lost_wanted])
    gained_quotes = _quotes(new_tagger, gained_wanted, texts)
    lost_quotes = _quotes(old_tagger, lost_wanted, texts) if old.tags else {}
    names = {t.key: t.name for t in [*old.tags, *new.tags]}
    for change in result["changes"]:
        change["name"] = names.get(change["tag"], change["tag"])
        change["gained_sample"] = [
            {"id": i, **gained_quotes.get((i, change["tag"]), {})} for i in change.pop("gained_ids")
        ]
        change["lost_sample"] = [
            {"id": i, **lost_quotes.get((i, change["tag"]), {})} for i in change.pop("lost_ids")
        ]
    result["published_version"] = published.version if published else None
    result["draft_version"] = draft.version
    return result
