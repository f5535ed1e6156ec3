"""The client's tag taxonomy: kinds, a tree of tags, each with examples and/or an exact rule.

Loaded from YAML or JSON, validated in full before any tagging, so a bad taxonomy fails with
one line naming the tag at fault instead of tagging history wrongly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import ScoringError

__all__ = [
    "Rule",
    "Tag",
    "Taxonomy",
    "TaxonomyError",
    "demo_taxonomy",
    "load_taxonomy",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
]

SPEAKERS = ("any", "agent", "customer")
_TAG_FIELDS = {
    "key",
    "name",
    "kind",
    "parent",
    "description",
    "examples",
    "negative_examples",
    "rule",
    "threshold",
}
_RULE_FIELDS = {"any", "all", "none", "near", "speaker", "window"}
_WINDOW_FIELDS = {"first_s", "last_s", "first_turns"}


class TaxonomyError(ScoringError):
    """A taxonomy that does not validate; the message names the tag and the problem."""


@dataclass(frozen=True)
class Rule:
    """Exact matching: phrases are stemmed and matched on word boundaries, case-insensitively.

    ``near`` holds when every term of ``near_terms`` occurs within ``near_within`` words of the
    others in one segment. ``speaker`` and the window restrict which segments the rule reads.
    """

    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    near_terms: tuple[str, ...] = ()
    near_within: int = 8
    speaker: str = "any"
    first_s: float | None = None
    last_s: float | None = None
    first_turns: int | None = None


@dataclass(frozen=True)
class Tag:
    key: str
    name: str
    kind: str
    parent: str | None = None
    description: str = ""
    examples: tuple[str, ...] = ()
    rule: Rule | None = None
    threshold: float | None = None
    # text that reads like the tag but is not it (rejected matches); a segment closer to
    # these than to the examples does not count for the tag (file field: negative_examples)
    negatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Tags in file order; ``version`` is recorded with every result."""

    kinds: tuple[str, ...]
    tags: tuple[Tag, ...]
    version: str = ""
    _by_key: Mapping[str, Tag] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {t.key: t for t in self.tags})

    def get(self, key: str) -> Tag | None:
        return self._by_key.get(key)

    def path(self, key: str) -> tuple[str, ...]:
        """Keys from the top-level ancestor down to ``key``."""
        chain = [key]
        parent = self._by_key[key].parent
        while parent is not None:
            chain.append(parent)
            parent = self._by_key[parent].parent
        return tuple(reversed(chain))

    def children(self, key: str) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.parent == key)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _rule(data: Any, where: str) -> Rule:
    if not isinstance(data, Mapping):
        raise TaxonomyError(f"{where}: rule must be a mapping")
    unknown = set(data) - _RULE_FIELDS
    if unknown:
        raise TaxonomyError(f"{where}: unknown rule field(s) {', '.join(sorted(unknown))}")
    near_terms: tuple[str, ...] = ()
    within = 8
    if data.get("near") is not None:
        near = data["near"]
        if not isinstance(near, Mapping):
            raise TaxonomyError(f"{where}: near must be {{terms: [...], within: N}}")
        near_terms = _strings(near.get("terms"), f"{where}: near.terms")
        within = near.get("within", 8)
        if len(near_terms) < 2 or not isinstance(within, int) or within < 1:
            raise TaxonomyError(f"{where}: near needs two or more terms and within >= 1")
    speaker = str(data.get("speaker", "any")).lower()
    if speaker not in SPEAKERS:
        raise TaxonomyError(f"{where}: speaker must be one of {', '.join(SPEAKERS)}")
    window = data.get("window") or {}
    if not isinstance(window, Mapping) or set(window) - _WINDOW_FIELDS or len(window) > 1:
        raise TaxonomyError(f"{where}: window must be one of first_s, last_s, first_turns")
    for name, value in window.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise TaxonomyError(f"{where}: window.{name} must be a positive number")
    rule = Rule(
        any=_strings(data.get("any"), f"{where}: any"),
        all=_strings(data.get("all"), f"{where}: all"),
        none=_strings(data.get("none"), f"{where}: none"),
        near_terms=near_terms,
        near_within=within,
        speaker=speaker,
        first_s=window.get("first_s"),
        last_s=window.get("last_s"),
        first_turns=None if "first_turns" not in window else int(window["first_turns"]),
    )
    if not (rule.any or rule.all or rule.near_terms):
        raise TaxonomyError(f"{where}: rule needs at least one of any, all, near")
    return rule


def _tag(data: Any, index: int, kinds: tuple[str, ...]) -> Tag:
    if not isinstance(data, Mapping) or not isinstance(data.get("key"), str | int):
        raise TaxonomyError(f"tag #{index + 1}: needs a key")
    key = str(data["key"]).strip()
    where = f"tag {key!r}"
    unknown = set(data) - _TAG_FIELDS
    if unknown:
        raise TaxonomyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = data.get("kind", kinds[0] if len(kinds) == 1 else None)
    if kind is not None and kind not in kinds:
        raise TaxonomyError(f"{where}: kind {kind!r} is not one of the taxonomy's kinds")
    threshold = data.get("threshold")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float)
    ):
        raise TaxonomyError(f"{where}: threshold must be a number")
    if threshold is not None and not 0 < threshold < 1:
        raise TaxonomyError(f"{where}: threshold must be between 0 and 1")
    parent = data.get("parent")
    return Tag(
        key=key,
        name=str(data.get("name") or key.replace("_", " ")),
        kind=kind or "",
        parent=None if parent is None else str(parent),
        description=str(data.get("description") or "").strip(),
        examples=_strings(data.get("examples"), f"{where}: examples"),
        negatives=_strings(data.get("negative_examples"), f"{where}: negative_examples"),
        rule=None if data.get("rule") is None else _rule(data["rule"], where),
        threshold=None if threshold is None else float(threshold),
    )


def _check_tree(tags: Sequence[Tag]) -> None:
    by_key: dict[str, Tag] = {}
    for tag in tags:
        if tag.key in by_key:
            raise TaxonomyError(f"duplicate tag key {tag.key!r}")
        by_key[tag.key] = tag
    for tag in tags:
        if tag.parent is not None and tag.parent not in by_key:
            raise TaxonomyError(f"tag {tag.key!r}: unknown parent {tag.parent!r}")
    for tag in tags:
        seen = {tag.key}
        parent = tag.parent
        while parent is not None:
            if parent in seen:
                raise TaxonomyError(f"tag {tag.key!r}: cycle in parents through {parent!r}")
            seen.add(parent)
            parent = by_key[parent].parent
    has_children = {t.parent for t in tags if t.parent is not None}
    for tag in tags:
        if not tag.examples and tag.rule is None and tag.key not in has_children:
            raise TaxonomyError(f"tag {tag.key!r}: has neither examples nor a rule")


def _inherit_kinds(tags: list[Tag]) -> list[Tag]:
    """A tag without a kind takes its parent's; a tag may not differ in kind from its parent."""
    by_key = {t.key: t for t in tags}

    def kind_of(tag: Tag) -> str:
        if tag.kind or tag.parent is None:
            return tag.kind
        return kind_of(by_key[tag.parent])

    out = []
    for tag in tags:
        kind = kind_of(tag)
        if not kind:
            raise TaxonomyError(f"tag {tag.key!r}: no kind (set kind or a parent with one)")
        if tag.parent is not None and kind != kind_of(by_key[tag.parent]):
            raise TaxonomyError(f"tag {tag.key!r}: kind {kind!r} differs from its parent's")
        out.append(tag if tag.kind == kind else Tag(**{**tag.__dict__, "kind": kind}))
    return out


def taxonomy_from_dict(data: Mapping[str, Any]) -> Taxonomy:
    """Validate a parsed taxonomy file.

    A tag with children needs neither examples nor a rule: it is matched through roll-up.

    :raise TaxonomyError: unknown parent or kind, duplicate key, cycle, a leaf with neither
        examples nor rule, or a malformed field.
    """
    if not isinstance(data, Mapping):
        raise TaxonomyError("a taxonomy is a mapping with 'kinds' and 'tags'")
    kinds = _strings(data.get("kinds"), "kinds")
    if not kinds:
        raise TaxonomyError("kinds: at least one kind is needed")
    if len(set(kinds)) != len(kinds):
        raise TaxonomyError("kinds: duplicate kind")
    raw_tags = data.get("tags")
    if not isinstance(raw_tags, list) or not raw_tags:
        raise TaxonomyError("tags: expected a non-empty list")
    tags = [_tag(item, index, kinds) for index, item in enumerate(raw_tags)]
    _check_tree(tags)
    return Taxonomy(
        kinds=kinds, tags=tuple(_inherit_kinds(tags)), version=str(data.get("version", ""))
    )


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate a YAML or JSON taxonomy file.

    :raise TaxonomyError: unreadable, unparsable or invalid.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"cannot read taxonomy: {exc}") from exc
    try:
        data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TaxonomyError(f"cannot parse taxonomy: {first}") from exc
    return taxonomy_from_dict(data)


def _rule_to_dict(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("any", "all", "none"):
        if getattr(rule, name):
            out[name] = list(getattr(rule, name))
    if rule.near_terms:
        out["near"] = {"terms": list(rule.near_terms), "within": rule.near_within}
    if rule.speaker != "any":
        out["speaker"] = rule.speaker
    for name in ("first_s", "last_s", "first_turns"):
        if getattr(rule, name) is not None:
            out["window"] = {name: getattr(rule, name)}
    return out


def taxonomy_to_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    """The inverse of :func:`taxonomy_from_dict`, for export and for storing versions."""
    tags = []
    for tag in taxonomy.tags:
        item: dict[str, Any] = {"key": tag.key, "name": tag.name, "kind": tag.kind}
        if tag.parent:
            item["parent"] = tag.parent
        if tag.description:
            item["description"] = tag.description
        if tag.examples:
            item["examples"] = list(tag.examples)
        if tag.negatives:
            item["negative_examples"] = list(tag.negatives)
        if tag.rule:
            item["rule"] = _rule_to_dict(tag.rule)
        if tag.threshold is not None:
            item["threshold"] = tag.threshold
        tags.append(item)
    return {"version": taxonomy.version, "kinds": list(taxonomy.kinds), "tags": tags}


def demo_taxonomy() -> Taxonomy:
    """The shipped demo taxonomy (Northwind: enquiry types and complaint topics)."""
    return load_taxonomy(Path(__file__).with_name("demo_taxonomy.yaml"))
