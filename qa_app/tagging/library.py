"""Between the stored taxonomy versions and the ``scoring`` tagging library.

One place converts rows to library objects and back, and packs segment vectors, so the
editor, back-test, ingest and analytics never disagree on either format.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select

import scoring
from qa_app.extensions import db
from qa_app.tagging.models import SegmentEmbeddings, Tag, Taxonomy, TaxonomyStatus
from qa_app.timeutil import utcnow

VECTOR_DTYPE = np.float16  # half the bytes of float32; cosine scores move < 0.001


def published_taxonomy() -> Taxonomy | None:
    """The version tagging uses now (at most one is published)."""
    return db.session.scalar(
        select(Taxonomy).where(Taxonomy.status == TaxonomyStatus.PUBLISHED).limit(1)
    )


def to_dict(taxonomy: Taxonomy, *, include_retired: bool = False) -> dict[str, Any]:
    """The stored version as the library's file format (what YAML export writes)."""
    by_id = {t.id: t for t in taxonomy.tags}
    tags = []
    for tag in taxonomy.tags:
        if tag.is_retired and not include_retired:
            continue
        item: dict[str, Any] = {"key": tag.key, "name": tag.name, "kind": tag.kind}
        if tag.parent_id is not None:
            item["parent"] = by_id[tag.parent_id].key
        if tag.description:
            item["description"] = tag.description
        if tag.examples:
            item["examples"] = list(tag.examples)
        if tag.negative_examples:
            item["negative_examples"] = list(tag.negative_examples)
        if tag.rule:
            item["rule"] = dict(tag.rule)
        if tag.threshold is not None:
            item["threshold"] = tag.threshold
        tags.append(item)
    return {"version": taxonomy.version, "kinds": list(taxonomy.kinds), "tags": tags}


def to_library(taxonomy: Taxonomy) -> scoring.Taxonomy:
    """The stored version, validated, as the tagger takes it (retired tags left out).

    :raise scoring.TaxonomyError: the version does not validate (e.g. a leaf lost its examples).
    """
    return scoring.taxonomy_from_dict(to_dict(taxonomy))


def store_taxonomy(
    parsed: scoring.Taxonomy,
    *,
    name: str,
    version: str,
    status: TaxonomyStatus = TaxonomyStatus.DRAFT,
    created_by_id: int | None = None,
    based_on: Taxonomy | None = None,
) -> Taxonomy:
    """A new stored version holding ``parsed`` (validated by the library already)."""
    taxonomy = Taxonomy(
        name=name,
        version=version,
        status=status,
        kinds=list(parsed.kinds),
        created_by_id=created_by_id,
        based_on=based_on,
        published_at=utcnow() if status is TaxonomyStatus.PUBLISHED else None,
    )
    db.session.add(taxonomy)
    rows: dict[str, Tag] = {}
    as_dict = scoring.taxonomy_to_dict(parsed)
    for spec, item in zip(parsed.tags, as_dict["tags"], strict=True):
        row = Tag(
            key=spec.key,
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            examples=list(spec.examples),
            negative_examples=list(spec.negatives),
            rule=item.get("rule"),
            threshold=spec.threshold,
        )
        rows[spec.key] = row
        taxonomy.tags.append(row)
    for spec in parsed.tags:
        if spec.parent is not None:
            rows[spec.key].parent = rows[spec.parent]
    db.session.flush()
    return taxonomy


def pack_vectors(vectors: np.ndarray) -> bytes:
    """(segments, dims) float vectors as stored in ``SegmentEmbeddings.vectors``."""
    return np.ascontiguousarray(vectors, dtype=VECTOR_DTYPE).tobytes()


def unpack_vectors(row: SegmentEmbeddings) -> np.ndarray:
    """The stored vectors as float32 (len(positions), dims)."""
    flat = np.frombuffer(row.vectors, dtype=VECTOR_DTYPE)
    return flat.reshape(len(row.positions), row.dims).astype(np.float32)
