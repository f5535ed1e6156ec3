"""Customer mood: per turn, per interaction (start, end, lowest point, trajectory), agent tone.

    python -m scoring.mood INPUT... [--json OUT]

INPUT as for ``python -m scoring.tags`` (read by the same reader): transcript JSON,
``Agent:``/``Customer:`` text, or ``.jsonl`` of ``{"id", "text"}`` / ``{"id", "turns":
[{"speaker", "text"}]}``. ``--json OUT`` writes one JSON object a line, in input order (``-`` for
stdout): ``{"id", "mood"}``, where a text item's mood has just ``label`` and ``score``. Without
it a one-line summary per item is printed. Bad inputs give one line each on stderr
(``mood: FILE[:LINE]: reason``). Exit status: 0 all rated, 1 some input failed, 2 none.

Why not a lexicon: polite words ("please", "thank you") fool it, and frustrated customers mostly
repeat themselves or answer curtly; see ``bench/mood_eval.py`` for the measured difference.
The implementation lives in ``scoring.mood_analysis`` so that ``python -m scoring.mood`` does
not import this module twice (``scoring/__init__`` imports the implementation, not this file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from scoring.mood_analysis import (
    Encoder,
    interaction_mood,
    interaction_moods,
    label_for_score,
    mood_trajectory_score,
    text_moods,
    turn_moods,
)
from scoring.mood_types import InteractionMood, MoodChange, TextMood, TurnMood
from scoring.tagging_io import read_all
from scoring.types import Interaction

__all__ = [
    "Encoder",
    "InteractionMood",
    "MoodChange",
    "TextMood",
    "TurnMood",
    "interaction_mood",
    "interaction_moods",
    "is_text_item",
    "label_for_score",
    "main",
    "mood_records",
    "mood_trajectory_score",
    "text_moods",
    "turn_moods",
]


def is_text_item(item: Interaction) -> bool:
    """A JSONL ``{"id", "text"}`` item (a post, a review): rated as one text, no dialogue."""
    return item.source == "item" and len(item.turns) == 1


def mood_records(
    items: Sequence[Interaction], encode: Encoder | None = None
) -> list[dict[str, Any]]:
    """Output records ``{"id", "mood"}`` in input order (texts and interactions batched)."""
    texts = [i for i, item in enumerate(items) if is_text_item(item)]
    calls = [i for i, item in enumerate(items) if not is_text_item(item)]
    moods: dict[int, dict[str, Any]] = {}
    text_results = text_moods([items[i].turns[0].text for i in texts], encode)
    for i, text_result in zip(texts, text_results, strict=True):
        moods[i] = text_result.to_dict()
    call_results = interaction_moods([items[i] for i in calls], encode)
    for i, call_result in zip(calls, call_results, strict=True):
        moods[i] = call_result.to_dict()
    return [{"id": item.interaction_id, "mood": moods[i]} for i, item in enumerate(items)]


def _summary(record: dict[str, Any]) -> str:
    mood = record["mood"]
    line = f"{record['id']}: {mood['label']} ({mood['score']:+.2f})"
    if "trajectory" in mood:
        line += f", {mood['start']} -> {mood['end']}: {mood['trajectory']}"
        if mood["agent"]:
            line += f"; agent tone {mood['agent']['label']}"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring.mood", description=__doc__.split("\n")[0]
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--json", metavar="OUT", help="write JSONL here ('-' for stdout)")
    args = parser.parse_args(argv)

    items, errors = read_all(args.inputs)
    for error in errors:
        print(f"mood: {error}", file=sys.stderr)
    failed = len(errors)
    if not items:
        return 2
    try:
        records = mood_records(items)
    except (RuntimeError, OSError, ValueError) as exc:  # encoder or weights missing or stale
        print(f"mood: {exc}", file=sys.stderr)
        return 2
    if args.json:
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if args.json == "-":
            sys.stdout.write(lines)
        else:
            with open(args.json, "w", encoding="utf-8") as handle:
                handle.write(lines)
    else:
        print("\n".join(_summary(r) for r in records))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
