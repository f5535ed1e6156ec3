"""Taxonomy versions and edits: the published version is read-only, every change is made on
one open draft copied from it, validated by the ``scoring`` library and written to the audit log.

Each edit rebuilds the whole draft as the library's file format and validates it before a row
changes, so a draft never holds a taxonomy the tagger would refuse at publish time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import delete, func, select

import scoring
from qa_app.admin.services import record_audit
from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.tagging.library import published_taxonomy, store_taxonomy, to_dict
from qa_app.tagging.models import (
    AssignmentState,
    RunKind,
    Tag,
    TagAssignment,
    TaggingRun,
    Taxonomy,
    TaxonomyStatus,
)
from qa_app.timeutil import utcnow


class EditError(ValueError):
    """An edit the taxonomy would not survive; the message is one line for the user."""


@dataclass(frozen=True)
class TagData:
    """A tag as the editor form submits it (rule in the library's file format)."""

    key: str
    name: str
    kind: str
    parent: str | None = None
    description: str = ""
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    rule: dict[str, Any] | None = None
    threshold: float | None = None


@dataclass
class TreeNode:
    tag: Tag
    depth: int
    children: list[TreeNode] = field(default_factory=list)


# --- reading ---


def get_taxonomy(taxonomy_id: int) -> Taxonomy | None:
    return db.session.get(Taxonomy, taxonomy_id)


def open_draft() -> Taxonomy | None:
    """The one draft being edited (editing is serialized through it)."""
    return db.session.scalar(
        select(Taxonomy)
        .where(Taxonomy.status == TaxonomyStatus.DRAFT)
        .order_by(Taxonomy.id.desc())
        .limit(1)
    )


def list_versions(limit: int = 20) -> list[tuple[Taxonomy, User | None]]:
    rows = db.session.execute(
        select(Taxonomy, User)
        .outerjoin(User, User.id == Taxonomy.created_by_id)
        .order_by(Taxonomy.id.desc())
        .limit(limit)
    )
    return [(t, u) for t, u in rows]


def find_tag(taxonomy: Taxonomy, key: str) -> Tag | None:
    return next((t for t in taxonomy.tags if t.key == key), None)


def tag_tree(taxonomy: Taxonomy) -> list[TreeNode]:
    """Kinds' top-level tags with their children, in file order (retired tags included)."""
    nodes = {t.id: TreeNode(t, 0) for t in taxonomy.tags}
    roots: list[TreeNode] = []
    for tag in taxonomy.tags:
        parent = nodes.get(tag.parent_id) if tag.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[tag.id])

    def fix(node: TreeNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            fix(child, depth + 1)

    for root in roots:
        fix(root, 0)
    return roots


def tag_volumes(taxonomy: Taxonomy | None) -> dict[str, int]:
    """Per tag key, interactions carrying it in ``taxonomy`` (rejected decisions left out)."""
    if taxonomy is None:
        return {}
    rows = db.session.execute(
        select(Tag.key, func.count(func.distinct(TagAssignment.interaction_id)))
        .join(Tag, Tag.id == TagAssignment.tag_id)
        .where(
            TagAssignment.taxonomy_id == taxonomy.id,
            TagAssignment.interaction_id.is_not(None),
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .group_by(Tag.key)
    )
    return {key: count for key, count in rows}


def tag_precision(taxonomy: Taxonomy | None) -> dict[str, Any]:
    """Measured precision per tag key from reviewer decisions (``decisions`` owns the maths)."""
    if taxonomy is None:
        return {}
    try:
        from qa_app.tagging.decisions import tag_precision as measured
    except ImportError:  # written by another feature; the tree works without it
        return {}
    return dict(measured(taxonomy.id))


# --- versions ---


def _next_version(name: str, base: str) -> str:
    taken = set(db.session.scalars(select(Taxonomy.version).where(Taxonomy.name == name)))
    match = re.match(r"^(.*?)(\d+)$", base)
    stem, number = (match.group(1), int(match.group(2))) if match else (f"{base}-", 1)
    number += 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


def _copy_tags(source: Taxonomy, target: Taxonomy) -> None:
    rows: dict[int, Tag] = {}
    for tag in source.tags:
        copy = Tag(
            key=tag.key,
            name=tag.name,
            kind=tag.kind,
            description=tag.description,
            examples=list(tag.examples),
            negative_examples=list(tag.negative_examples),
            rule=None if tag.rule is None else dict(tag.rule),
            threshold=tag.threshold,
            is_retired=tag.is_retired,
            merged_into=tag.merged_into,
        )
        rows[tag.id] = copy
        target.tags.append(copy)
    for tag in source.tags:
        if tag.parent_id is not None:
            rows[tag.id].parent = rows[tag.parent_id]


def start_draft(actor: User) -> Taxonomy:
    """The open draft, or a new one copied from the published version.

    :raise EditError: there is nothing to copy (import a taxonomy first).
    """
    draft = open_draft()
    if draft is not None:
        return draft
    published = published_taxonomy()
    if published is None:
        raise EditError("There is no published taxonomy to edit yet: import one.")
    draft = Taxonomy(
        name=published.name,
        version=_next_version(published.name, published.version),
        status=TaxonomyStatus.DRAFT,
        kinds=list(published.kinds),
        based_on=published,
        created_by_id=actor.id,
    )
    db.session.add(draft)
    _copy_tags(published, draft)
    db.session.flush()
    record_audit(actor, "taxonomy.draft_started", draft, after={"based_on": published.version})
    return draft


def _require_draft(taxonomy: Taxonomy) -> None:
    if taxonomy.status is not TaxonomyStatus.DRAFT:
        raise EditError(f"Version {taxonomy.version} is {taxonomy.status.value}: edit a draft.")


def discard_draft(draft: Taxonomy, actor: User) -> None:
    _require_draft(draft)
    record_audit(actor, "taxonomy.draft_discarded", draft, before={"version": draft.version})
    db.session.execute(delete(TaggingRun).where(TaggingRun.taxonomy_id == draft.id))
    for tag in draft.tags:
        tag.parent = None
    db.session.flush()
    db.session.delete(draft)
    db.session.flush()


def publish_draft(draft: Taxonomy, actor: User) -> TaggingRun:
    """Make the draft the published version and queue the re-tag of history.

    :raise EditError: not a draft, or it no longer validates.
    """
    _require_draft(draft)
    _validate(to_dict(draft))
    previous = published_taxonomy()
    if previous is not None:
        previous.status = TaxonomyStatus.SUPERSEDED
        db.session.flush()  # at most one published version at any moment
    draft.status = TaxonomyStatus.PUBLISHED
    draft.published_at = utcnow()
    run = TaggingRun(taxonomy=draft, kind=RunKind.RETAG, step="queued", created_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    record_audit(
        actor,
        "taxonomy.published",
        draft,
        before={"published": previous.version if previous else None},
        after={"published": draft.version, "retag_run": run.id},
    )
    return run


# --- import and export ---


def export_yaml(taxonomy: Taxonomy) -> str:
    """The version in the library's file format (retired tags left out: they tag nothing)."""
    data = to_dict(taxonomy)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def import_yaml(filename: str, raw: bytes, actor: User) -> Taxonomy:
    """A new draft holding the uploaded file, based on the published version if any.

    :raise EditError: ``FILE: problem`` for an unreadable, unparsable or invalid file, or a
        draft already open.
    """
    if open_draft() is not None:
        raise EditError("A draft is already open: publish or discard it before importing.")
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EditError(f"{filename}: cannot parse taxonomy: {first}") from exc
    try:
        parsed = scoring.taxonomy_from_dict(data)
    except scoring.TaxonomyError as exc:
        raise EditError(f"{filename}: {exc}") from exc
    published = published_taxonomy()
    if published is not None:
        name, version = published.name, _next_version(published.name, published.version)
    else:
        name = parsed.version or filename.rsplit(".", 1)[0]
        version = parsed.version or "1"
    draft = store_taxonomy(
        parsed, name=name, version=version, created_by_id=actor.id, based_on=published
    )
    draft.note = f"imported from {filename}"
    record_audit(
        actor, "taxonomy.imported", draft, after={"file": filename, "tags": len(parsed.tags)}
    )
    return draft


# --- edits on the draft ---


def _validate(data: dict[str, Any]) -> scoring.Taxonomy:
    try:
        return scoring.taxonomy_from_dict(data)
    except scoring.TaxonomyError as exc:
        raise EditError(str(exc)) from exc


def _library_item(data: TagData) -> dict[str, Any]:
    item: dict[str, Any] = {"key": data.key, "name": data.name or data.key}
    if data.kind:
        item["kind"] = data.kind
    if data.parent:
        item["parent"] = data.parent
    if data.description:
        item["description"] = data.description
    if data.examples:
        item["examples"] = list(data.examples)
    if data.negative_examples:
        item["negative_examples"] = list(data.negative_examples)
    if data.rule:
        item["rule"] = data.rule
    if data.threshold is not None:
        item["threshold"] = data.threshold
    return item


def _row_state(tag: Tag) -> dict[str, Any]:
    return {
        "key": tag.key,
        "name": tag.name,
        "kind": tag.kind,
        "parent": tag.parent.key if tag.parent else None,
        "description": tag.description,
        "examples": list(tag.examples),
        "negative_examples": list(tag.negative_examples),
        "rule": tag.rule,
        "threshold": tag.threshold,
        "is_retired": tag.is_retired,
        "merged_into": tag.merged_into,
    }


def _apply(draft: Taxonomy, parsed: scoring.Taxonomy) -> None:
    """Write the validated library taxonomy onto the draft's live (not retired) rows."""
    as_dict = {t["key"]: t for t in scoring.taxonomy_to_dict(parsed)["tags"]}
    rows = {t.key: t for t in draft.tags}
    for spec in parsed.tags:
        row = rows.get(spec.key)
        if row is None:
            row = Tag(key=spec.key, negative_examples=[])
            draft.tags.append(row)
            rows[spec.key] = row
        row.name = spec.name
        row.kind = spec.kind
        row.description = spec.description
        row.examples = list(spec.examples)
        row.negative_examples = list(spec.negatives)
        row.rule = as_dict[spec.key].get("rule")
        row.threshold = spec.threshold
        row.parent = rows[spec.parent] if spec.parent else None
    db.session.flush()


def save_tag(draft: Taxonomy, data: TagData, actor: User, *, new: bool) -> Tag:
    """Add a tag to the draft, or change one (its key stays: history refers to it).

    :raise EditError: the library's one-line message (unknown parent, a leaf with neither
        examples nor rule, a malformed rule, ...).
    """
    _require_draft(draft)
    current = to_dict(draft)
    existing = find_tag(draft, data.key)
    if new and existing is not None:
        raise EditError(f"tag key {data.key!r} is taken in this version")
    if not new and (existing is None or existing.is_retired):
        raise EditError(f"tag {data.key!r} is not a live tag of this draft")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", data.key):
        raise EditError("key: lower-case letters, digits, _ and - only")
    item = _library_item(data)
    tags = [item if t["key"] == data.key else t for t in current["tags"]]
    if new:
        tags.append(item)
    parsed = _validate({**current, "tags": tags})
    before = None if existing is None else _row_state(existing)
    _apply(draft, parsed)
    row = find_tag(draft, data.key)
    assert row is not None
    record_audit(
        actor, "taxonomy.tag_added" if new else "taxonomy.tag_changed", row, before, _row_state(row)
    )
    return row


def move_tag(draft: Taxonomy, key: str, parent: str | None, actor: User) -> Tag:
    """Put a tag under another parent (None: top level of its kind)."""
    _require_draft(draft)
    tag = find_tag(draft, key)
    if tag is None or tag.is_retired:
        raise EditError(f"tag {key!r} is not a live tag of this draft")
    current = to_dict(draft)
    tags = []
    for item in current["tags"]:
        if item["key"] == key:
            item = {k: v for k, v in item.items() if k != "parent"}
            if parent:
                item["parent"] = parent
        tags.append(item)
    before = _row_state(tag)
    _apply(draft, _validate({**current, "tags": tags}))
    record_audit(actor, "taxonomy.tag_moved", tag, before, _row_state(tag))
    return tag


def merge_tag(draft: Taxonomy, source_key: str, target_key: str, actor: User) -> Tag:
    """Fold ``source`` into ``target``: its examples join the target's, its children move
    under the target, and it is retired with ``merged_into`` so history can follow it."""
    _require_draft(draft)
    source, target = find_tag(draft, source_key), find_tag(draft, target_key)
    if source is None or source.is_retired or target is None or target.is_retired:
        raise EditError("merge needs two live tags of this draft")
    if source is target:
        raise EditError("a tag cannot be merged into itself")
    current = to_dict(draft)
    tags = []
    for item in current["tags"]:
        if item["key"] == source_key:
            continue
        if item["key"] == target_key:
            merged = list(dict.fromkeys([*item.get("examples", []), *source.examples]))
            negatives = list(
                dict.fromkeys([*item.get("negative_examples", []), *source.negative_examples])
            )
            item = {**item, "examples": merged} if merged else item
            item = {**item, "negative_examples": negatives} if negatives else item
        if item.get("parent") == source_key:
            item = {**item, "parent": target_key}
        tags.append(item)
    parsed = _validate({**current, "tags": tags})
    before = {"source": _row_state(source), "target": _row_state(target)}
    for child in [t for t in draft.tags if t.parent_id == source.id and t.is_retired]:
        child.parent = target  # retired children follow too, so the tree stays whole
    _apply(draft, parsed)
    source.is_retired = True
    source.merged_into = target_key
    db.session.flush()
    record_audit(
        actor,
        "taxonomy.tag_merged",
        source,
        before,
        {"source": _row_state(source), "target": _row_state(target)},
    )
    return target


def retire_tag(draft: Taxonomy, key: str, actor: User) -> Tag:
    """Retire a tag: it stays in the version for history but tags nothing new.

    :raise EditError: it still has live children (move, merge or retire them first).
    """
    _require_draft(draft)
    tag = find_tag(draft, key)
    if tag is None or tag.is_retired:
        raise EditError(f"tag {key!r} is not a live tag of this draft")
    live_children = [t.key for t in draft.tags if t.parent_id == tag.id and not t.is_retired]
    if live_children:
        raise EditError(
            f"tag {key!r} has live children ({', '.join(live_children)}): move or retire them first"
        )
    current = to_dict(draft)
    _validate({**current, "tags": [t for t in current["tags"] if t["key"] != key]})
    before = _row_state(tag)
    tag.is_retired = True
    db.session.flush()
    record_audit(actor, "taxonomy.tag_retired", tag, before, _row_state(tag))
    return tag
