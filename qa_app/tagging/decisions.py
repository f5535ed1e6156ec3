"""Reviewers' decisions on tags: confirm, reject, undo, add a missed tag; what they measure.

A decision is the only ground truth the tagger gets in production: precision per tag comes
from it, and a rejected match can become a negative example in the next draft version.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

import scoring
from qa_app.admin.services import record_audit
from qa_app.auth.models import User
from qa_app.calls.models import Interaction, Segment, Transcript
from qa_app.calls.services import visible_interactions
from qa_app.extensions import db
from qa_app.tagging.library import published_taxonomy, to_library
from qa_app.tagging.models import (
    REVIEWER_SOURCE,
    AssignmentState,
    Tag,
    TagAssignment,
    Taxonomy,
    TaxonomyStatus,
)
from qa_app.tagging.services import EditError, open_draft, start_draft
from qa_app.timeutil import utcnow

Z_95 = 1.96


class DecisionError(ValueError):
    """A decision that cannot be made; the message says why, in one line."""


# --- measured precision -------------------------------------------------------------------


@dataclass(frozen=True)
class TagPrecision:
    """Reviewers' verdicts on the tagger's matches of one tag, and how often it fires.

    ``added`` counts tags reviewers had to add by hand (misses); they do not enter precision.
    """

    confirmed: int = 0
    rejected: int = 0
    volume: int = 0
    added: int = 0

    @property
    def decided(self) -> int:
        return self.confirmed + self.rejected

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson 95% interval: 3 of 3 confirmed still only says 'above 44%'."""
        n = self.decided
        if not n:
            return None
        p = self.confirmed / n
        z2 = Z_95 * Z_95
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)


def _measured_version(taxonomy_id: int) -> int:
    """A draft has tagged nothing yet: its figures are those of the version it copies."""
    taxonomy = db.session.get(Taxonomy, taxonomy_id)
    if taxonomy is not None and taxonomy.status is TaxonomyStatus.DRAFT and taxonomy.based_on_id:
        return taxonomy.based_on_id
    return taxonomy_id


def tag_precision(taxonomy_id: int) -> dict[str, TagPrecision]:
    """Per tag key of a version: confirmed, rejected, precision and interaction volume.

    Counts interaction-level matches of that version (for a draft: of the version it is based
    on). Tags without any match or decision are left out.
    """
    version = _measured_version(taxonomy_id)
    on_interaction = and_(
        TagAssignment.tag_id == Tag.id,
        Tag.taxonomy_id == version,
        TagAssignment.interaction_id.is_not(None),
    )
    rows = db.session.execute(
        select(Tag.key, TagAssignment.source, TagAssignment.state, func.count())
        .where(on_interaction)
        .group_by(Tag.key, TagAssignment.source, TagAssignment.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for key, source, state, n in rows:
        c = counts.setdefault(key, {"confirmed": 0, "rejected": 0, "added": 0})
        if source == REVIEWER_SOURCE:
            c["added"] += n
        elif state is AssignmentState.CONFIRMED:
            c["confirmed"] += n
        elif state is AssignmentState.REJECTED:
            c["rejected"] += n
    volume = dict(
        db.session.execute(
            select(Tag.key, func.count(func.distinct(TagAssignment.interaction_id)))
            .where(on_interaction, TagAssignment.state != AssignmentState.REJECTED)
            .group_by(Tag.key)
        ).all()
    )
    return {key: TagPrecision(volume=volume.get(key, 0), **c) for key, c in sorted(counts.items())}


# --- evidence shown to people: always redacted ---------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    segment: int | None  # segment position, what the review page's transcript lines carry
    start: float | None
    quote: str
    why: str


def _segments_of(interaction_ids: Sequence[int]) -> dict[tuple[int, int], Segment]:
    if not interaction_ids:
        return {}
    rows = db.session.execute(
        select(Transcript.interaction_id, Segment)
        .join(Segment, Segment.transcript_id == Transcript.id)
        .where(Transcript.interaction_id.in_(set(interaction_ids)))
    )
    return {(iid, seg.position): seg for iid, seg in rows}


def _evidence_views(
    assignment: TagAssignment, segments: dict[tuple[int, int], Segment]
) -> list[EvidenceView]:
    """The quote of a known segment is its redacted text; any other quote is redacted here."""
    out = []
    for item in assignment.evidence or []:
        position = item.get("segment")
        seg = (
            segments.get((assignment.interaction_id or 0, position))
            if isinstance(position, int)
            else None
        )
        if seg is not None:
            quote, start = seg.redacted_text, seg.start_s
        else:
            quote, start = scoring.redact_text(str(item.get("quote") or "")).text, None
            position = None
        out.append(EvidenceView(position, start, quote, str(item.get("why") or "")))
    return out


def redact_text(text: str) -> str:
    return scoring.redact_text(text).text


def redacted_quote(assignment: TagAssignment) -> str:
    """The first evidence quote of a match, redacted: what a negative example may hold."""
    views = _evidence_views(
        assignment, _segments_of([assignment.interaction_id] if assignment.interaction_id else [])
    )
    return next((v.quote for v in views if v.quote.strip()), "")


# --- the review page -----------------------------------------------------------------------


@dataclass(frozen=True)
class TagView:
    id: int
    key: str
    name: str
    kind: str
    path: tuple[str, ...]  # names from the top-level ancestor down
    confidence: float
    state: str
    source: str
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class InteractionTags:
    groups: list[tuple[str, list[TagView]]] = field(default_factory=list)
    addable: list[tuple[str, str]] = field(default_factory=list)  # (key, name) not on it yet
    taxonomy: str | None = None  # "name vversion" of the published taxonomy

    @property
    def count(self) -> int:
        return sum(len(tags) for _, tags in self.groups)


def _path_names(tag: Tag) -> tuple[str, ...]:
    names, node, seen = [], tag, set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


def interaction_assignments(interaction: Interaction) -> list[TagAssignment]:
    """Interaction-level tags of the version it was tagged with (and reviewer additions)."""
    published = published_taxonomy()
    versions = {interaction.tagged_taxonomy_id, published.id if published else None} - {None}
    query = (
        select(TagAssignment)
        .where(TagAssignment.interaction_id == interaction.id)
        .options(joinedload(TagAssignment.tag))
        .order_by(TagAssignment.confidence.desc(), TagAssignment.id)
    )
    if versions:
        query = query.where(
            or_(TagAssignment.taxonomy_id.in_(versions), TagAssignment.taxonomy_id.is_(None))
        )
    return list(db.session.scalars(query).unique())


def interaction_tags(interaction: Interaction) -> InteractionTags:
    """Tags of one interaction grouped by kind (taxonomy order), with redacted evidence."""
    assignments = interaction_assignments(interaction)
    segments = _segments_of([interaction.id])
    published = published_taxonomy()
    kinds = list(published.kinds) if published else []
    grouped: dict[str, list[TagView]] = {}
    for a in assignments:
        grouped.setdefault(a.tag.kind, []).append(
            TagView(
                id=a.id,
                key=a.tag.key,
                name=a.tag.name,
                kind=a.tag.kind,
                path=_path_names(a.tag),
                confidence=a.confidence,
                state=a.state.value,
                source=a.source,
                evidence=tuple(_evidence_views(a, segments)),
            )
        )
    order = kinds + sorted(k for k in grouped if k not in kinds)
    present = {a.tag.key for a in assignments}
    addable = []
    if published is not None:
        addable = [
            (t.key, t.name) for t in published.tags if not t.is_retired and t.key not in present
        ]
    return InteractionTags(
        groups=[(k, grouped[k]) for k in order if k in grouped],
        addable=addable,
        taxonomy=f"{published.name} · {published.version}" if published else None,
    )


# --- decisions -----------------------------------------------------------------------------


def get_assignment(assignment_id: int) -> TagAssignment | None:
    return db.session.scalar(
        select(TagAssignment)
        .where(TagAssignment.id == assignment_id)
        .options(joinedload(TagAssignment.tag))
    )


def get_interaction_of(assignment: TagAssignment) -> Interaction | None:
    if assignment.interaction_id is None:
        return None
    return db.session.get(Interaction, assignment.interaction_id)


def _snapshot(a: TagAssignment) -> dict[str, Any]:
    return {"tag": a.tag.key, "state": a.state.value, "interaction": a.interaction_id}


def decide_tag(assignment: TagAssignment, state: AssignmentState, actor: User) -> TagAssignment:
    """Confirm or reject a tag on an interaction; deciding again overwrites the verdict.

    :raise DecisionError: not an interaction's tag, or not a verdict.
    """
    if assignment.interaction_id is None:
        raise DecisionError("Only tags on an interaction are confirmed or rejected here.")
    if state is AssignmentState.SUGGESTED:
        raise DecisionError("A decision is either confirm or reject.")
    before = _snapshot(assignment)
    assignment.state = state
    assignment.decided_by_id = actor.id
    assignment.decided_at = utcnow()
    record_audit(actor, f"tag.{state.value}", assignment, before, _snapshot(assignment))
    db.session.flush()
    return assignment


def undo_decision(assignment: TagAssignment, actor: User) -> TagAssignment | None:
    """Back to 'suggested'; a tag a reviewer added is removed instead (None is returned)."""
    if assignment.interaction_id is None:
        raise DecisionError("Only tags on an interaction are confirmed or rejected here.")
    before = _snapshot(assignment)
    if assignment.source == REVIEWER_SOURCE:
        record_audit(actor, "tag.remove", assignment, before, None)
        db.session.delete(assignment)
        db.session.flush()
        return None
    if assignment.state is AssignmentState.SUGGESTED:
        raise DecisionError("This tag has no decision to undo.")
    assignment.state = AssignmentState.SUGGESTED
    assignment.decided_by_id = None
    assignment.decided_at = None
    record_audit(actor, "tag.undo", assignment, before, _snapshot(assignment))
    db.session.flush()
    return assignment


def published_tag(key: str) -> Tag | None:
    """A live tag of the published version by key."""
    published = published_taxonomy()
    if published is None:
        return None
    return db.session.scalar(
        select(Tag).where(
            Tag.taxonomy_id == published.id, Tag.key == key, Tag.is_retired.is_(False)
        )
    )


def add_reviewer_tag(interaction: Interaction, key: str, actor: User) -> TagAssignment:
    """A tag the tagger missed, added confirmed; one the tagger had (any state) is confirmed.

    :raise DecisionError: no published taxonomy, or no live tag with that key in it.
    """
    tag = published_tag(key)
    if tag is None:
        raise DecisionError(f"No tag {key!r} in the published taxonomy.")
    existing = db.session.scalar(
        select(TagAssignment).where(
            TagAssignment.interaction_id == interaction.id, TagAssignment.tag_id == tag.id
        )
    )
    if existing is not None:
        return decide_tag(existing, AssignmentState.CONFIRMED, actor)
    assignment = TagAssignment.added_by_reviewer(tag, actor.id, interaction_id=interaction.id)
    db.session.add(assignment)
    db.session.flush()
    record_audit(actor, "tag.add", assignment, None, _snapshot(assignment))
    return assignment


# --- the decisions page of one tag ---------------------------------------------------------


@dataclass(frozen=True)
class DecidedMatch:
    id: int
    interaction_id: int
    version: str
    state: str
    source: str
    confidence: float
    quote: str
    why: str
    decided_by: str
    decided_at: datetime | None
    is_negative: bool  # its quote is already a negative example of the current draft


def decided_matches(key: str, limit: int = 200) -> list[DecidedMatch]:
    """The latest decided interaction-level matches of a tag key, across versions."""
    rows = list(
        db.session.execute(
            select(TagAssignment, User.name, Taxonomy.version)
            .join(Tag, TagAssignment.tag_id == Tag.id)
            .join(Taxonomy, Tag.taxonomy_id == Taxonomy.id)
            .outerjoin(User, TagAssignment.decided_by_id == User.id)
            .where(
                Tag.key == key,
                TagAssignment.interaction_id.is_not(None),
                TagAssignment.state != AssignmentState.SUGGESTED,
            )
            .order_by(TagAssignment.decided_at.desc(), TagAssignment.id.desc())
            .limit(limit)
        )
    )
    segments = _segments_of([a.interaction_id for a, _, _ in rows])
    draft = open_draft()
    negatives: set[str] = set()
    if draft is not None:
        tag = next((t for t in draft.tags if t.key == key), None)
        negatives = set(tag.negative_examples or []) if tag else set()
    out = []
    for a, who, version in rows:
        views = _evidence_views(a, segments)
        first = next((v for v in views if v.quote.strip()), None)
        out.append(
            DecidedMatch(
                id=a.id,
                interaction_id=a.interaction_id or 0,
                version=version,
                state=a.state.value,
                source=a.source,
                confidence=a.confidence,
                quote=first.quote if first else "",
                why=first.why if first else "",
                decided_by=who or "—",
                decided_at=a.decided_at,
                is_negative=bool(first and first.quote in negatives),
            )
        )
    return out


def tag_summary(key: str) -> tuple[Tag | None, TagPrecision]:
    """The published tag of that key (or the latest of any version) and its precision there."""
    tag = db.session.scalar(
        select(Tag)
        .join(Taxonomy, Tag.taxonomy_id == Taxonomy.id)
        .where(Tag.key == key)
        .order_by((Taxonomy.status == TaxonomyStatus.PUBLISHED).desc(), Taxonomy.id.desc())
        .limit(1)
    )
    if tag is None:
        return None, TagPrecision()
    return tag, tag_precision(tag.taxonomy_id).get(key, TagPrecision())


# --- negative examples ---------------------------------------------------------------------


def add_negative_example(assignment: TagAssignment, actor: User) -> Tag:
    """Turn a rejected match into a negative example of its tag in the current draft.

    :raise DecisionError: the match is not rejected, has no quote, its tag is not in the
        draft, or the quote is already there.
    """
    if assignment.state is not AssignmentState.REJECTED:
        raise DecisionError("Only a rejected match can become a negative example.")
    quote = redacted_quote(assignment).strip()
    if not quote:
        raise DecisionError("This match has no quote to learn from.")
    try:
        draft = start_draft(actor)  # the editor's draft, or a new copy of the published version
    except EditError as exc:
        raise DecisionError(str(exc)) from exc
    tag = next((t for t in draft.tags if t.key == assignment.tag.key), None)
    if tag is None:
        raise DecisionError(f"Tag {assignment.tag.key!r} is not in draft {draft.version}.")
    if quote in (tag.negative_examples or []):
        raise DecisionError("That quote is already a negative example of this tag.")
    before = {"negative_examples": list(tag.negative_examples or [])}
    tag.negative_examples = [*(tag.negative_examples or []), quote]  # a new list: JSON change
    after = {"negative_examples": tag.negative_examples}
    record_audit(actor, "tag.negative_example", tag, before, after)
    db.session.flush()
    return tag


# --- filters and export ----------------------------------------------------------------------


EXPORT_HEADER = [
    "interaction_id",
    "started_at",
    "channel",
    "agent",
    "tag",
    "path",
    "confidence",
    "state",
    "source",
    "evidence",
]


def export_rows(user: User, key: str | None = None, batch: int = 500) -> Iterator[list[str]]:
    """CSV rows of interaction-level tags the user may see, evidence redacted, newest first."""
    visible = visible_interactions(user).with_only_columns(Interaction.id).subquery()
    query = (
        select(TagAssignment, Interaction)
        .join(Interaction, TagAssignment.interaction_id == Interaction.id)
        .join(Tag, TagAssignment.tag_id == Tag.id)
        .where(TagAssignment.interaction_id.in_(select(visible.c.id)))
        .options(joinedload(TagAssignment.tag), joinedload(Interaction.agent))
        .order_by(Interaction.started_at.desc(), Interaction.id.desc(), TagAssignment.id)
    )
    if key:
        query = query.where(Tag.key == key)
    yield EXPORT_HEADER
    offset = 0
    while True:
        rows = list(db.session.execute(query.limit(batch).offset(offset)).unique())
        if not rows:
            return
        segments = _segments_of([i.id for _, i in rows])
        for a, i in rows:
            views = _evidence_views(a, segments)
            yield [
                str(i.id),
                i.started_at.isoformat(timespec="seconds"),
                i.channel.value,
                _cell(i.agent.name if i.agent else ""),
                a.tag.key,
                "/".join(t.lower() for t in _path_keys(a.tag)),
                f"{a.confidence:.3f}",
                a.state.value,
                a.source,
                _cell(" | ".join(v.quote for v in views if v.quote)),
            ]
        offset += batch


def _cell(text: str) -> str:
    """A spreadsheet must not run a quote as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _path_keys(tag: Tag) -> list[str]:
    keys, node, seen = [], tag, set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        keys.append(node.key)
        node = node.parent
    return list(reversed(keys))


# --- tags on reviewer comments ---------------------------------------------------------------


def suggest_tags(text: str, limit: int = 5) -> list[dict[str, Any]]:
    """Tags of the published taxonomy a comment reads like, best first (thresholds ignored)."""
    published = published_taxonomy()
    if published is None or not text.strip():
        return []
    library = to_library(published)
    names = {t.key: t.name for t in published.tags}
    return [
        {"key": key, "name": names.get(key, key), "confidence": round(conf, 3)}
        for key, conf in scoring.tagger_for(library).suggest(text, limit=limit)
    ]
