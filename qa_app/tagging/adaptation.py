"""The history sample a tagger adapts to (``scoring.Tagger.adapt``).

Adapting the tag centroids to the client's own unlabeled customer text lifts accuracy
(banking77: 73.8% -> about 76.7%), but only if every process builds the same tagger for the
same version: the sample is therefore fixed by a cutoff time (a version's publication, a
back-test run's creation) and read in id order, never "whatever is newest now".

Read with Core selects (plain rows, no ORM objects): a sample of 3,000 interactions is a
few thousand small rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import numpy as np
from sqlalchemy import func, select

from qa_app.calls.models import Interaction, Segment, Speaker, Transcript
from qa_app.extensions import db
from qa_app.tagging.history import history_model
from qa_app.tagging.library import VECTOR_DTYPE
from qa_app.tagging.models import SegmentEmbeddings

# Below this many interactions adaptation is noise (and small test histories stay un-adapted).
MIN_INTERACTIONS = 200
# ... and below this many distinct customer texts: templated history (the demo: 321 chats,
# 32 distinct customer lines) pulls centroids onto a few stock phrases ("Done, works. Cheers."
# became a repeated fault at 0.999), and the adapted tagger is worse, not better.
MIN_DISTINCT = 200
SAMPLE_LIMIT = 3000


def _eligible(cutoff: datetime):  # noqa: ANN202  (a Core select, typed by SQLAlchemy)
    """Interactions created before ``cutoff`` that have stored vectors for the encoder."""
    interactions = Interaction.__table__.c
    table = SegmentEmbeddings.__table__
    stored = table.c
    return (
        select(interactions.id)
        .join(table, stored.interaction_id == interactions.id)
        .where(interactions.created_at < cutoff, stored.model == history_model())
    )


def _window(cutoff: datetime, limit: int):  # noqa: ANN202
    """The latest ``limit`` eligible interactions by id (an index scan that stops early)."""
    return _eligible(cutoff).order_by(Interaction.__table__.c.id.desc()).limit(limit)


def sample_signature(cutoff: datetime, limit: int = SAMPLE_LIMIT) -> tuple[int, int]:
    """(how many, sum of ids) of the interactions the sample is drawn from: cheap, and it
    changes whenever the sample could (vectors stored late for an older interaction enter
    the window and raise the sum)."""
    sub = _window(cutoff, limit).subquery()
    count, total = db.session.execute(select(func.count(), func.sum(sub.c.id))).one()
    return int(count or 0), int(total or 0)


def adaptation_sample(cutoff: datetime, limit: int = SAMPLE_LIMIT) -> np.ndarray | None:
    """Stored vectors of the customer segments of the latest ``limit`` interactions (by id)
    created before ``cutoff``, as float32 (N, dims); None below :data:`MIN_INTERACTIONS`
    interactions or :data:`MIN_DISTINCT` distinct customer segments.

    A one-piece text (a post, an email) counts as customer text whatever its speaker.
    Rows are in (interaction id, position) order, so the same history gives the same array.
    """
    ids = sorted(db.session.scalars(_window(cutoff, limit)))
    if len(ids) < MIN_INTERACTIONS:
        return None
    segments = Segment.__table__.c
    transcripts = Transcript.__table__.c
    speakers: dict[int, dict[int, str]] = defaultdict(dict)
    rows = db.session.execute(
        select(transcripts.interaction_id, segments.position, segments.speaker)
        .select_from(
            Segment.__table__.join(Transcript.__table__, segments.transcript_id == transcripts.id)
        )
        .where(transcripts.interaction_id.in_(ids))
    )
    for interaction_id, position, speaker in rows:
        speakers[interaction_id][position] = getattr(speaker, "value", speaker)
    stored = SegmentEmbeddings.__table__.c
    vectors = db.session.execute(
        select(stored.interaction_id, stored.positions, stored.dims, stored.vectors)
        .where(stored.interaction_id.in_(ids), stored.model == history_model())
        .order_by(stored.interaction_id)
    )
    parts: list[np.ndarray] = []
    for interaction_id, positions, dims, packed in vectors:
        by_position = speakers.get(interaction_id, {})
        one_piece = len(by_position) == 1
        keep = [
            n
            for n, p in enumerate(positions)
            if p in by_position and (one_piece or by_position[p] == Speaker.CUSTOMER.value)
        ]
        if keep:
            matrix = np.frombuffer(packed, dtype=VECTOR_DTYPE).reshape(len(positions), dims)
            parts.append(matrix[keep])
    if not parts:
        return None
    sample = np.concatenate(parts)
    if len(np.unique(sample, axis=0)) < MIN_DISTINCT:
        return None
    return sample.astype(np.float32)
