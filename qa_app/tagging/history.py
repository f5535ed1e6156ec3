"""Stored history as the tagger reads it: every interaction with stored segment vectors.

Back-tests and re-tags scan all of history, so this reads rows with Core selects (no ORM
objects, no relationship loading) in keyset batches, and unpacks each interaction's vectors
with one ``numpy.frombuffer``. The tagger reads ``Segment.text``; anything shown to people
(evidence quotes) must come from :func:`redacted_texts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import String, func, select, type_coerce

import scoring
from qa_app.calls.models import Segment, Transcript
from qa_app.extensions import db
from qa_app.tagging.library import VECTOR_DTYPE
from qa_app.tagging.models import SegmentEmbeddings
from scoring import encoder

DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class HistoryBatch:
    """Interactions in id order; ``vectors[n]`` has one row per turn of ``items[n]``.

    A turn whose segment has no stored vector gets a zero row (matches nothing).
    ``items[n].interaction_id`` is the interaction id as a string; turn ids are positions.
    """

    ids: list[int]
    items: list[scoring.Interaction]
    vectors: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)


def history_model() -> str:
    return encoder.model_name()


def count_history(model: str | None = None) -> int:
    """How many interactions have stored vectors for ``model`` (default: the encoder's)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SegmentEmbeddings)
            .where(SegmentEmbeddings.model == (model or history_model()))
        )
        or 0
    )


def iter_history(
    *,
    batch_size: int = DEFAULT_BATCH,
    model: str | None = None,
    interaction_ids: Iterable[int] | None = None,
) -> Iterator[HistoryBatch]:
    """Stored history in batches of ``batch_size`` interactions, in id order.

    :param interaction_ids: only these interactions (e.g. the samples of a back-test).
    """
    model = model or history_model()
    wanted = None if interaction_ids is None else sorted(set(interaction_ids))
    stored = SegmentEmbeddings.__table__.c  # Core columns: plain rows, no ORM loading
    last = 0
    while True:
        query = (
            select(stored.interaction_id, stored.positions, stored.dims, stored.vectors)
            .where(stored.model == model, stored.interaction_id > last)
            .order_by(stored.interaction_id)
            .limit(batch_size)
        )
        if wanted is not None:
            chunk = [i for i in wanted if i > last][:batch_size]
            if not chunk:
                return
            query = query.where(stored.interaction_id.in_(chunk))
        rows = db.session.connection().execute(query).all()
        if not rows:
            return
        last = rows[-1][0]
        yield _batch(rows)
        if wanted is None and len(rows) < batch_size:
            return


def _batch(rows: Sequence[tuple[int, list[int], int, bytes]]) -> HistoryBatch:
    lo, hi = rows[0][0], rows[-1][0]
    turns: dict[int, list[scoring.Turn]] = {}
    seg, tr = Segment.__table__.c, Transcript.__table__.c
    segments = db.session.connection().execute(
        select(
            tr.interaction_id,
            seg.position,
            type_coerce(seg.speaker, String),  # the stored value; no enum conversion per row
            seg.start_s,
            seg.end_s,
            seg.text,
        )
        .join(Transcript.__table__, seg.transcript_id == tr.id)
        .where(tr.interaction_id.between(lo, hi))
        .order_by(tr.interaction_id, seg.position)
    )
    Turn = scoring.Turn
    for interaction_id, position, speaker, start, end, text in segments:
        own = turns.get(interaction_id)
        if own is None:
            own = turns[interaction_id] = []
        own.append(Turn(position, speaker, text, start, end))
    ids, items, vectors = [], [], []
    for interaction_id, positions, dims, packed in rows:
        own = turns.get(interaction_id)
        if not own:
            continue  # vectors without a transcript: nothing for rules or evidence to read
        stored = np.frombuffer(packed, dtype=VECTOR_DTYPE).reshape(len(positions), dims)
        if len(own) == len(positions) and all(
            t.id == p for t, p in zip(own, positions, strict=True)
        ):
            matrix = stored.astype(np.float32)
        else:  # vectors stored for some segments only (e.g. the customer's)
            matrix = np.zeros((len(own), dims), dtype=np.float32)
            row_of = {t.id: n for n, t in enumerate(own)}
            for r, p in enumerate(positions):
                if p in row_of:
                    matrix[row_of[p]] = stored[r]
        ids.append(interaction_id)
        items.append(scoring.Interaction(str(interaction_id), tuple(own), source="turns"))
        vectors.append(matrix)
    return HistoryBatch(ids, items, vectors)


def redacted_texts(interaction_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(interaction id, segment position) -> redacted text, for quotes shown to people."""
    ids = sorted(set(interaction_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Transcript.interaction_id, Segment.position, Segment.redacted_text)
        .join(Transcript, Segment.transcript_id == Transcript.id)
        .where(Transcript.interaction_id.in_(ids))
    )
    return {(i, p): text for i, p, text in rows}
