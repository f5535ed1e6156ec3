"""Reading items to tag: transcripts, and JSONL batches of posts, comments or conversations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from scoring.errors import InputError, ScoringError
from scoring.loaders import _number, load_interaction  # the transcript loader's own check
from scoring.types import AGENT, CUSTOMER, UNKNOWN, Interaction, Turn

__all__ = ["item_from_dict", "read_items"]

_ROLES = {"agent": AGENT, "customer": CUSTOMER, "client": CUSTOMER, "caller": CUSTOMER}
_ITEM_FIELDS = {"id", "text", "turns", "created_at", "channel"}


def item_from_dict(data: Any, default_id: str = "") -> Interaction:
    """One batch item: a text (one segment, no party) or a list of turns.

    :raise InputError: not an object, unknown fields, or no text.
    """
    if not isinstance(data, Mapping):
        raise InputError("expected a JSON object")
    unknown = set(data) - _ITEM_FIELDS
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(sorted(unknown))}")
    item_id = str(data.get("id", default_id))
    if isinstance(data.get("text"), str):
        if not data["text"].strip():
            raise InputError("empty text")
        return Interaction(item_id, (Turn(0, UNKNOWN, data["text"].strip()),), source="item")
    raw = data.get("turns")
    if not isinstance(raw, list) or not raw:
        raise InputError("needs 'text' or a non-empty 'turns' list")
    turns = []
    for index, turn in enumerate(raw):
        if not isinstance(turn, Mapping) or not isinstance(turn.get("text"), str):
            raise InputError(f"turn {index} has no text")
        speaker = _ROLES.get(str(turn.get("speaker", "")).lower(), UNKNOWN)
        start = _number(turn.get("start"), f"turn {index} start")
        end = _number(turn.get("end"), f"turn {index} end")
        turns.append(Turn(index, speaker, turn["text"].strip(), start, end))
    return Interaction(item_id, tuple(turns), source="turns")


def read_items(path: str | Path) -> Iterator[Interaction | InputError]:
    """Items of one INPUT; a bad line yields an InputError naming ``FILE:LINE`` instead."""
    path = Path(path)
    if path.suffix != ".jsonl":
        try:
            yield load_interaction(path)
        except ScoringError as exc:
            yield InputError(f"{path}: {exc}")
        return
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield InputError(f"{path}: cannot read file: {exc}")
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield item_from_dict(json.loads(line), default_id=f"{path.stem}:{number}")
        except json.JSONDecodeError as exc:
            yield InputError(f"{path}:{number}: invalid JSON: {exc.msg}")
        except InputError as exc:
            yield InputError(f"{path}:{number}: {exc}")


def read_all(paths: Iterable[str | Path]) -> tuple[list[Interaction], list[InputError]]:
    """Every readable item of every input, and the errors of the unreadable ones, in order."""
    items: list[Interaction] = []
    errors: list[InputError] = []
    for path in paths:
        for item in read_items(path):
            (errors if isinstance(item, InputError) else items).append(item)  # type: ignore[arg-type]
    return items, errors
