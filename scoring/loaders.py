"""Read interactions: transcript JSON (the transcription schema) or ``Agent:``/``Customer:`` text.

Parsing is kept apart from file reading so the app can pass dicts and strings it already holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scoring.errors import InputError
from scoring.types import AGENT, CUSTOMER, UNKNOWN, Interaction, Turn

__all__ = ["interaction_from_dict", "interaction_from_text", "load_interaction"]

_ROLES = {
    "agent": AGENT,
    "rep": AGENT,
    "helpdesk": AGENT,
    "customer": CUSTOMER,
    "caller": CUSTOMER,
    "client": CUSTOMER,
}
_TURN_LINE = re.compile(r"^\s*(agent|customer|rep|caller|client)\s*:\s*(.*)$", re.IGNORECASE)
_HEADER = re.compile(r"^\s*#\s*(agent|interaction)(?:_id)?\s*:\s*(\S.*?)\s*$", re.IGNORECASE)


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{what} is not a number")
    return float(value)


def interaction_from_dict(data: Mapping[str, Any], default_id: str = "") -> Interaction:
    """Build an interaction from a transcript JSON object (``segments`` with speaker and text)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("segments"), list):
        raise InputError("unknown format: expected a transcript JSON object with 'segments'")
    turns = []
    for index, seg in enumerate(data["segments"]):
        if not isinstance(seg, Mapping) or not isinstance(seg.get("text"), str):
            raise InputError(f"segment {index} has no text")
        speaker = _ROLES.get(str(seg.get("speaker", "")).lower(), UNKNOWN)
        seg_id = seg.get("id", index)
        if not isinstance(seg_id, int) or isinstance(seg_id, bool):
            raise InputError(f"segment {index} has a non-integer id")
        start = _number(seg.get("start"), f"segment {index} start")
        end = _number(seg.get("end"), f"segment {index} end")
        turns.append(Turn(seg_id, speaker, seg["text"].strip(), start, end))
    agent_id = data.get("agent_id")
    interaction_id = data.get("interaction_id") or default_id
    return _checked(
        Interaction(
            interaction_id=str(interaction_id),
            turns=tuple(turns),
            agent_id=None if agent_id is None else str(agent_id),
            source="transcript",
        )
    )


def interaction_from_text(text: str, default_id: str = "") -> Interaction:
    """Parse one turn per line, ``Agent: ...`` / ``Customer: ...``; ``# agent: ID`` sets the agent.

    Lines that do not start with a role continue the previous turn (wrapped email lines).
    """
    agent_id = None
    interaction_id = default_id
    turns: list[Turn] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        header = _HEADER.match(line)
        if header:
            if header.group(1).lower() == "agent":
                agent_id = header.group(2)
            else:
                interaction_id = header.group(2)
            continue
        match = _TURN_LINE.match(line)
        if match:
            role = _ROLES[match.group(1).lower()]
            turns.append(Turn(len(turns), role, match.group(2).strip()))
        elif turns:
            last = turns[-1]
            turns[-1] = Turn(last.id, last.speaker, f"{last.text} {line.strip()}")
        else:
            raise InputError(
                f"unknown format: line {number} does not start with Agent: or Customer:"
            )
    return _checked(Interaction(str(interaction_id), tuple(turns), agent_id, source="text"))


def _checked(interaction: Interaction) -> Interaction:
    if not any(t.is_agent and t.text for t in interaction.turns):
        raise InputError("no agent turns")
    return interaction


def load_interaction(path: str | Path) -> Interaction:
    """Read a transcript JSON or a plain-text transcript; the file stem is the default id.

    :raise InputError: unreadable file, unknown format or nothing said by the agent.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise InputError(f"cannot read file: {reason}") from exc
    if not raw.strip():
        raise InputError("empty file")
    if raw.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
        return interaction_from_dict(data, default_id=path.stem)
    return interaction_from_text(raw, default_id=path.stem)
