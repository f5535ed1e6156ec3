"""Plain results of tagging: each tag with its confidence and the segments behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TagEvidence", "TagMatch", "TagResult"]


@dataclass(frozen=True)
class TagEvidence:
    """A segment (turn id; None for a one-piece text) and why it supports the tag."""

    segment: int | None
    quote: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"segment": self.segment, "quote": self.quote, "why": self.why}


@dataclass(frozen=True)
class TagMatch:
    """One tag on an item. ``path`` runs from the top-level ancestor down to ``tag``."""

    tag: str
    path: tuple[str, ...]
    confidence: float
    evidence: tuple[TagEvidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "path": list(self.path),
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class TagResult:
    """Tags of one item, best first; ``primary`` maps every kind to its best tag or None."""

    item_id: str
    tags: tuple[TagMatch, ...]
    primary: Mapping[str, str | None] = field(default_factory=dict)
    taxonomy_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "tags": [t.to_dict() for t in self.tags],
            "primary": dict(self.primary),
            "taxonomy_version": self.taxonomy_version,
        }
