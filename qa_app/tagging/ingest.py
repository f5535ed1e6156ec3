"""Tagging and mood at ingest, and the re-tag of history after a version is published.

Every interaction's segments are encoded once, here, and stored packed
(:class:`SegmentEmbeddings`). All of them are stored, agent turns included: mood reads every
turn (the agent's tone, the agent turn before a curt customer reply), and the same vectors
then serve tagging, back-tests and clustering, so nothing is ever encoded twice.

The tagger reads ``Segment.text``; everything a user is shown (evidence quotes, mood change
quotes) is the segment's redacted text.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import selectinload

import scoring
from qa_app.calls.models import Interaction, Segment, Transcript
from qa_app.extensions import db
from qa_app.tagging.adaptation import adaptation_sample, sample_signature
from qa_app.tagging.history import count_history, iter_history
from qa_app.tagging.library import pack_vectors, published_taxonomy, to_dict, unpack_vectors
from qa_app.tagging.models import (
    AssignmentState,
    SegmentEmbeddings,
    Tag,
    TagAssignment,
    Taxonomy,
)
from qa_app.timeutil import utcnow
from scoring import encoder

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

RETAG_BATCH = 500
_TAGGER_CACHE = 8  # a base and an adapted tagger per version


@dataclass(frozen=True)
class SegmentRow:
    """What tagging needs of one stored segment (also read by the batch loader)."""

    position: int
    segment_id: int | None
    speaker: str
    text: str
    redacted: str
    start: float | None = None
    end: float | None = None


# --- conversion -----------------------------------------------------------------------


def _segment_rows(interaction: Interaction) -> list[SegmentRow]:
    """The interaction's segments in order (a text interaction has a one-segment transcript)."""
    if interaction.transcript is None:
        return []
    return [
        SegmentRow(s.position, s.id, s.speaker.value, s.text, s.redacted_text, s.start_s, s.end_s)
        for s in interaction.transcript.segments
    ]


def library_item(interaction_id: int, rows: Sequence[SegmentRow]) -> scoring.Interaction:
    """The stored interaction as the tagging and mood library reads it (turn id = position)."""
    turns = tuple(scoring.Turn(r.position, r.speaker, r.text, r.start, r.end) for r in rows)
    return scoring.Interaction(str(interaction_id), turns, source="turns")


def _matrix(rows: Sequence[SegmentRow], stored: SegmentEmbeddings) -> np.ndarray:
    """Stored vectors laid out one row per turn, in the order of ``rows``."""
    vectors = unpack_vectors(stored)
    index = {p: i for i, p in enumerate(stored.positions)}
    out = np.zeros((len(rows), stored.dims), dtype=np.float32)
    for i, row in enumerate(rows):
        j = index.get(row.position)
        if j is not None:
            out[i] = vectors[j]
    return out


# --- embeddings -----------------------------------------------------------------------


def _stored_embeddings(interaction_ids: Sequence[int]) -> dict[int, SegmentEmbeddings]:
    if not interaction_ids:
        return {}
    rows = db.session.scalars(
        select(SegmentEmbeddings).where(
            SegmentEmbeddings.interaction_id.in_(interaction_ids),
            SegmentEmbeddings.model == encoder.model_name(),
        )
    )
    return {r.interaction_id: r for r in rows}


def _is_current(stored: SegmentEmbeddings, interaction: Interaction, positions: list[int]) -> bool:
    """Stored vectors still match the transcript (a re-transcription replaces it)."""
    transcript: Transcript | None = interaction.transcript
    if list(stored.positions) != positions:
        return False
    return transcript is None or stored.created_at >= transcript.created_at


def embed_interactions(interactions: Sequence[Interaction]) -> list[SegmentEmbeddings | None]:
    """Encode, in one call, the segments of the interactions not yet stored for this model.

    Identical texts are encoded once. Returns each interaction's row (None when it has no
    text at all). Flushes only.
    """
    stored = _stored_embeddings([i.id for i in interactions])
    todo: list[tuple[Interaction, list[SegmentRow]]] = []
    out: dict[int, SegmentEmbeddings | None] = {}
    for interaction in interactions:
        rows = _segment_rows(interaction)
        old = stored.get(interaction.id)
        if not rows:
            out[interaction.id] = None
        elif old is not None and _is_current(old, interaction, [r.position for r in rows]):
            out[interaction.id] = old
        else:
            todo.append((interaction, rows))
    unique = sorted({r.text for _, rows in todo for r in rows})
    if unique:
        vectors = encoder.encode(unique)
        where = {text: n for n, text in enumerate(unique)}
        for interaction, rows in todo:
            matrix = vectors[[where[r.text] for r in rows]]
            row = stored.get(interaction.id)
            if row is None:
                row = SegmentEmbeddings(interaction_id=interaction.id, model=encoder.model_name())
                db.session.add(row)
            row.dims = int(matrix.shape[1])
            row.positions = [r.position for r in rows]
            row.vectors = pack_vectors(matrix)
            row.created_at = utcnow()
            out[interaction.id] = row
    db.session.flush()
    return [out[i.id] for i in interactions]


def embed_interaction(interaction: Interaction) -> SegmentEmbeddings | None:
    """The interaction's stored segment vectors, encoded now unless already stored."""
    return embed_interactions([interaction])[0]


# --- tagging --------------------------------------------------------------------------

_taggers: OrderedDict[tuple[Any, ...], scoring.Tagger] = OrderedDict()
_taggers_lock = threading.Lock()


def tagger_for(taxonomy: Taxonomy) -> scoring.Tagger:
    """One compiled tagger per stored version per process (its examples encoded once),
    adapted to the customer history from before the version was published.

    The sample's cutoff is the version's ``published_at`` (or ``created_at``), so every
    process builds the same tagger for the same version. Keyed by the version's content too,
    so a draft edited in place is never served stale, and by the sample's signature, so
    vectors stored late for older interactions (a backfill) rebuild it.
    """
    spec = to_dict(taxonomy)
    cutoff = taxonomy.published_at or taxonomy.created_at
    key = (taxonomy.id, json.dumps(spec, sort_keys=True), cutoff, sample_signature(cutoff))
    with _taggers_lock:  # web threads import texts too
        tagger = _cached(key)
        if tagger is None:
            base = _cached(key[:2]) or scoring.Tagger(scoring.taxonomy_from_dict(spec))
            _remember(key[:2], base)  # its encoded examples serve a rebuilt sample too
            sample = adaptation_sample(cutoff)
            tagger = base if sample is None else base.adapt(sample)
            _remember(key, tagger)
    return tagger


def _cached(key: tuple[Any, ...]) -> scoring.Tagger | None:
    tagger = _taggers.get(key)
    if tagger is not None:
        _taggers.move_to_end(key)
    return tagger


def _remember(key: tuple[Any, ...], tagger: scoring.Tagger) -> None:
    _taggers[key] = tagger
    _taggers.move_to_end(key)
    while len(_taggers) > _TAGGER_CACHE:
        _taggers.popitem(last=False)


@dataclass(frozen=True)
class _Item:
    """One interaction ready to tag: its segments, library form and per-turn vectors."""

    interaction_id: int
    rows: list[SegmentRow]
    library: scoring.Interaction
    matrix: np.ndarray


def _evidence(result: scoring.TagMatch, item: _Item) -> list[dict[str, Any]]:
    by_position = {r.position: r for r in item.rows}
    out = []
    for ev in result.evidence:
        position = 0 if ev.segment is None else ev.segment
        row = by_position.get(position)
        out.append(
            {
                "segment": position,
                "segment_id": None if row is None else row.segment_id,
                "quote": row.redacted if row is not None else "",
                "why": ev.why,
            }
        )
    return out


def _decisions(interaction_ids: Sequence[int]) -> dict[tuple[int, str], TagAssignment]:
    """The latest reviewer decision per interaction and tag key (any version)."""
    rows = db.session.execute(
        select(TagAssignment, Tag.key)
        .join(Tag, Tag.id == TagAssignment.tag_id)
        .where(
            TagAssignment.interaction_id.in_(interaction_ids),
            TagAssignment.state != AssignmentState.SUGGESTED,
        )
        .order_by(TagAssignment.decided_at.is_(None), TagAssignment.decided_at)
    ).all()
    return {(a.interaction_id, key): a for a, key in rows}


def _store_tags(taxonomy: Taxonomy, items: Sequence[_Item], results: Sequence[Any]) -> None:
    """Replace the items' undecided auto tags with these results (one bulk write each way).

    A key a reviewer already confirmed or rejected on the interaction (in any version) keeps
    that decision on the new row, so re-tagging never re-asks a settled question.
    """
    ids = [item.interaction_id for item in items]
    db.session.execute(
        delete(TagAssignment)
        .where(
            TagAssignment.interaction_id.in_(ids),
            TagAssignment.source == "auto",
            TagAssignment.state == AssignmentState.SUGGESTED,
        )
        .execution_options(synchronize_session=False)
    )
    tag_ids = {t.key: t.id for t in taxonomy.tags if not t.is_retired}
    decided = _decisions(ids)
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item, result in zip(items, results, strict=True):
        top = 0.0
        for match in result.tags:
            if match.tag not in tag_ids:
                continue
            top = max(top, match.confidence)
            decision = decided.get((item.interaction_id, match.tag))
            kept = decision is not None and decision.taxonomy_id == taxonomy.id
            if kept and decision.tag_id == tag_ids[match.tag]:
                continue  # the reviewer's own row of this version stands for it
            new_rows.append(
                {
                    "tag_id": tag_ids[match.tag],
                    "taxonomy_id": taxonomy.id,
                    "interaction_id": item.interaction_id,
                    "confidence": round(float(match.confidence), 4),
                    "evidence": _evidence(match, item),
                    "source": "auto",
                    "state": decision.state if decision else AssignmentState.SUGGESTED,
                    "decided_by_id": decision.decided_by_id if decision else None,
                    "decided_at": decision.decided_at if decision else None,
                    "created_at": now,
                }
            )
        updates.append({"b_id": item.interaction_id, "b_tax": taxonomy.id, "b_top": round(top, 4)})
    if new_rows:
        db.session.execute(insert(TagAssignment), new_rows)
    if updates:
        db.session.execute(
            update(Interaction.__table__)
            .where(Interaction.__table__.c.id == bindparam("b_id"))
            .values(tagged_taxonomy_id=bindparam("b_tax"), top_tag_confidence=bindparam("b_top")),
            updates,
        )


def _tag_items(taxonomy: Taxonomy, items: Sequence[_Item]) -> None:
    if not items:
        return
    tagger = tagger_for(taxonomy)
    results = tagger.tag([i.library for i in items], [i.matrix for i in items])
    _store_tags(taxonomy, items, results)


def _expire_tag_columns() -> None:
    """The bulk update went around the ORM: loaded interactions re-read those two columns."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Interaction):
            db.session.expire(obj, ["tagged_taxonomy_id", "top_tag_confidence"])


# --- mood -----------------------------------------------------------------------------


def _store_mood(interaction: Interaction, item: _Item) -> None:
    """Customer mood from the stored vectors (no second encoding); quotes redacted."""
    matrix = item.matrix

    def stored(texts: Sequence[str]) -> np.ndarray:
        assert len(texts) == len(matrix)
        return matrix

    mood = scoring.interaction_mood(item.library, encode=stored)
    detail = mood.to_dict()
    redacted = [r.redacted for r in item.rows]
    positions = [r.position for r in item.rows]
    for change in detail["changes"]:
        change["quote"] = redacted[change["turn"]]
    for entry in [*detail["turns"], *([detail["lowest"]] if detail["lowest"] else [])]:
        entry["segment"] = positions[entry["turn"]]
    for change in detail["changes"]:
        change["segment"] = positions[change["turn"]]
    for key in ("label", "score", "start", "end", "trajectory"):
        detail.pop(key)
    detail["start_score"] = round(mood.start_score, 4)
    detail["end_score"] = round(mood.end_score, 4)
    interaction.mood_score = round(mood.score, 4)
    interaction.mood_label = mood.label
    interaction.mood_start = mood.start
    interaction.mood_end = mood.end
    interaction.mood_trajectory = mood.trajectory
    interaction.mood_detail = detail


# --- at ingest ------------------------------------------------------------------------


def analyse_interactions(interactions: Sequence[Interaction]) -> int:
    """Embed, tag with the published taxonomy and measure mood; returns how many had text.

    Batches share one encoder call, so importing many texts is much cheaper than one by one.
    Interactions without any text are left alone. Flushes only.
    """
    embeddings = embed_interactions(interactions)
    items: list[_Item] = []
    for interaction, stored in zip(interactions, embeddings, strict=True):
        if stored is None:
            continue
        rows = _segment_rows(interaction)
        item = _Item(
            interaction.id, rows, library_item(interaction.id, rows), _matrix(rows, stored)
        )
        _store_mood(interaction, item)
        items.append(item)
    db.session.flush()
    taxonomy = published_taxonomy()
    if taxonomy is not None:
        _tag_items(taxonomy, items)
    db.session.flush()
    _expire_tag_columns()
    return len(items)


def analyse_interaction(interaction: Interaction) -> bool:
    """Embed, tag and measure the mood of one interaction; False when it has no text."""
    return analyse_interactions([interaction]) == 1


# --- re-tag of history ----------------------------------------------------------------


def _segment_details(interaction_ids: Sequence[int]) -> dict[tuple[int, int], tuple[int, str]]:
    """(interaction id, position) -> (segment id, redacted text): what evidence shows."""
    rows = db.session.execute(
        select(Transcript.interaction_id, Segment.position, Segment.id, Segment.redacted_text)
        .join(Transcript, Segment.transcript_id == Transcript.id)
        .where(Transcript.interaction_id.in_(interaction_ids))
    )
    return {(i, p): (sid, text) for i, p, sid, text in rows}


def _history_batches(batch_size: int) -> Iterator[list[_Item]]:
    """Every interaction with stored vectors, in id order, from the shared history loader."""
    for batch in iter_history(batch_size=batch_size):
        details = _segment_details(batch.ids)
        items = []
        for interaction_id, library, matrix in zip(
            batch.ids, batch.items, batch.vectors, strict=True
        ):
            rows = []
            for turn in library.turns:
                segment_id, redacted = details.get((interaction_id, turn.id), (None, ""))
                rows.append(
                    SegmentRow(
                        turn.id, segment_id, turn.speaker, turn.text, redacted, turn.start, turn.end
                    )
                )
            items.append(_Item(interaction_id, rows, library, matrix))
        yield items


def retag_history(
    taxonomy: Taxonomy, progress: Progress | None = None, batch_size: int = RETAG_BATCH
) -> int:
    """Re-tag every interaction with stored vectors with ``taxonomy``; returns how many.

    Uses the stored vectors only: history is never re-encoded (only the taxonomy's examples
    are, once). Undecided auto tags are replaced; reviewer decisions stay. Interactions
    without stored vectors are left for their next analysis. Flushes per batch.
    """
    report = progress or (lambda step, completed, total: None)
    total = count_history()
    report("retag", 0, total)
    tagger_for(taxonomy)  # encode the examples before the first batch is timed
    done = 0
    for items in _history_batches(batch_size):
        _tag_items(taxonomy, items)
        db.session.flush()
        done += len(items)
        report("retag", min(done, total), total)
    _expire_tag_columns()
    return done


def analyse_or_note(interaction_id: int) -> str | None:
    """Analyse inside a savepoint for the pipeline: a failure is logged and returned as a
    note for the interaction, and leaves the rest of the transaction (its scores) intact."""
    try:
        with db.session.begin_nested():
            interaction = db.session.get(Interaction, interaction_id)
            if interaction is not None:
                analyse_interaction(interaction)
    except Exception as exc:  # noqa: BLE001  (any failure: the call itself is still ready)
        log.exception("tagging/mood of interaction %s failed", interaction_id)
        return f"not tagged: {type(exc).__name__}: {exc}"
    return None


def analyse_pending(batch_size: int = 200) -> int:
    """Analyse every transcribed interaction without mood, or not tagged with the published
    version: what seeding (and a backfill) runs; returns how many were analysed."""
    taxonomy = published_taxonomy()
    stale = Interaction.mood_label.is_(None)
    if taxonomy is not None:
        stale = stale | Interaction.tagged_taxonomy_id.is_distinct_from(taxonomy.id)
    query = (
        select(Interaction.id)
        .where(stale, Interaction.transcript.has(Transcript.segments.any()))
        .order_by(Interaction.id)
    )
    ids = list(db.session.scalars(query))

    def batches() -> Iterator[Sequence[Interaction]]:
        for lo in range(0, len(ids), batch_size):
            yield db.session.scalars(
                select(Interaction)
                .where(Interaction.id.in_(ids[lo : lo + batch_size]))
                .options(selectinload(Interaction.transcript).selectinload(Transcript.segments))
                .order_by(Interaction.id)
            ).all()

    if len(ids) > batch_size:  # embed all first: every batch is tagged by the same tagger,
        for batch in batches():  # adapted to the whole backfilled history
            embed_interactions(batch)
    return sum(analyse_interactions(batch) for batch in batches())
