"""Emerging topics: what the untagged and low-confidence interactions of a period are about.

Clustering reads the segment vectors stored at ingest (never re-encodes): each interaction is
the mean of its customer segments' vectors. Both the period and the previous period of equal
length are clustered together, so a cluster's growth compares like with like; growth is the
change in the cluster's share of all interactions, tested with the two-proportion z-test and
corrected for the number of clusters with Benjamini-Hochberg.

Spherical k-means (k-means++ seeding) over-partitions, then clusters whose centroids are closer
than ``MERGE_DISTANCE`` in cosine distance are merged (average linkage), so the number of
topics follows the data rather than a fixed k. Measured by ``bench/analytics.py`` on the
shared 2-core box: 20k vectors cluster in 3-6 s; the whole service over 11.6k + 11.4k
candidates of a 1M-interaction PostgreSQL database takes about 10 s (4 s of it loading
vectors). So the site-wide default-period result is computed in the background (the worker's
sweep every ``SNAPSHOT_EVERY``, ``flask analytics emerging``, ``seed-demo``) and stored as an
``EmergingSnapshot``: staff pages with default filters and the home-page notice read it; other
filters and agents' own views compute live and keep the result for ``CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import numpy as np
from flask import current_app
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from sqlalchemy import func, or_, select

from qa_app.analytics import event_stats
from qa_app.analytics.models import EmergingSnapshot
from qa_app.analytics.services import Filters, _matching
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Segment, Speaker, Transcript
from qa_app.extensions import db
from qa_app.tagging.library import unpack_vectors
from qa_app.tagging.models import SegmentEmbeddings
from qa_app.timeutil import utcnow
from scoring import encoder

log = logging.getLogger(__name__)

LOW_CONFIDENCE = 0.5  # below the tagger's default threshold: no tag was confident
MAX_ITEMS = 20_000  # per period; the most recent are kept
MIN_CLUSTER = 3  # fewer interactions in the period are not a topic yet
MERGE_DISTANCE = 0.45  # centroids closer than this (1 - cosine) are one topic
SIGNIFICANCE = 0.05  # on the Benjamini-Hochberg q-value
QUOTES = 3
NEAR_DUPLICATE = 0.6  # word-set overlap (Jaccard) above which a quote repeats another
NAME_WORDS = 7
TERMS = 5
TERM_SAMPLE = 30  # closest members whose customer text feeds the top terms
DRILL_LIMIT = 200
CACHE_SECONDS = 600
SNAPSHOT_EVERY = timedelta(minutes=15)  # the worker's sweep recomputes at most this often
SNAPSHOT_MAX_AGE = timedelta(minutes=45)  # older: the page computes live instead
NOTICE_MAX_AGE = timedelta(days=1)  # the home notice still trusts a snapshot this old
SEED_SAMPLE = 4000  # rows k-means++ seeding draws from
CHUNK = 900  # ids per IN (...) list, under SQLite's parameter limit

_WORD = re.compile(r"[a-z][a-z']{2,}")
STOPWORDS = frozenset(
    """about after again all also and any are aren't because been before being but can can't
    could did didn't does doesn't don't for from get got had has hasn't have haven't having her
    here him his how i'm i've into isn't it's its just know like more most much must need not now
    off one only other our out over please really said same see she should since some still such
    than thank thanks that that's the their them then there these they this those through too
    under until very want was wasn't way we'd we're were weren't what when where which while who
    why will with won't would yes you you're your yours hello okay yeah sure well going
    able""".split()
)


@dataclass(frozen=True)
class Quote:
    interaction_id: int
    text: str


@dataclass(frozen=True)
class Cluster:
    """One emerging topic: its size now and in the previous period, and what it is about."""

    number: int
    size: int
    previous: int
    share: float
    previous_share: float
    p_value: float | None
    q_value: float | None
    quotes: tuple[Quote, ...]
    terms: tuple[str, ...]
    interaction_ids: tuple[int, ...]  # this period's members, closest to the centroid first

    @property
    def growth(self) -> float | None:
        """Relative change of the share (0.5 = half as common again); None when new."""
        return self.share / self.previous_share - 1 if self.previous_share else None

    @property
    def is_growing(self) -> bool:
        """Significantly more common than in the previous period."""
        return (
            self.q_value is not None
            and self.q_value < SIGNIFICANCE
            and self.share > self.previous_share
        )

    @property
    def name(self) -> str:
        """The closest quote's first words: reads better than a bag of top terms."""
        if self.quotes:
            words = self.quotes[0].text.split()
            short = " ".join(words[:NAME_WORDS]).rstrip(".,!?;:")
            return short + ("…" if len(words) > NAME_WORDS else "")
        return " ".join(self.terms[:3]).capitalize() or f"Topic {self.number}"

    def new_tag_query(self) -> str:
        """Query string that prefills the taxonomy editor's new-tag form."""
        pairs = [("name", self.name)] + [("examples", q.text) for q in self.quotes]
        return urlencode(pairs)


@dataclass(frozen=True)
class Emerging:
    filters: Filters
    previous_first: date
    previous_last: date
    clusters: tuple[Cluster, ...]
    total: int  # all matching interactions of the period
    previous_total: int
    candidates: int  # untagged or low-confidence ones with stored vectors, this period
    previous_candidates: int
    below: float
    seconds: float
    computed_at: datetime | None = None  # naive UTC; set when read from a stored snapshot

    @property
    def growing(self) -> list[Cluster]:
        return [c for c in self.clusters if c.is_growing]

    @property
    def computed_local(self) -> str:
        """When the stored snapshot was computed, HH:MM in the filters' time zone."""
        if self.computed_at is None:
            return ""
        return self.computed_at.replace(tzinfo=UTC).astimezone(self.filters.zone).strftime("%H:%M")


# --- pure parts -------------------------------------------------------------------------------


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)


def spherical_kmeans(
    data: np.ndarray, k: int, *, rounds: int = 25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """K-means on unit vectors by cosine (k-means++ seeding); (unit centroids, labels).

    Assignment is one matrix product per round, so 20k x 384 takes well under a second a
    round on two cores (scipy's ``kmeans2`` loops in C without BLAS and took a minute).
    """
    rng = np.random.default_rng(seed)
    n = len(data)
    # seeding reads a sample: k passes over all rows would cost more than the rounds
    sample = data[rng.choice(n, SEED_SAMPLE, replace=False)] if n > SEED_SAMPLE else data
    centres = np.empty((k, data.shape[1]), dtype=data.dtype)
    centres[0] = sample[rng.integers(len(sample))]
    closest = 1.0 - sample @ centres[0]
    for i in range(1, k):
        weights = np.clip(closest, 0.0, None) ** 2
        total = float(weights.sum())
        pick = rng.choice(len(sample), p=weights / total) if total > 0 else rng.integers(n)
        centres[i] = sample[int(pick) % len(sample)]
        closest = np.minimum(closest, 1.0 - sample @ centres[i])
    labels = np.full(n, -1)
    for _ in range(rounds):
        new = np.argmax(data @ centres.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        members = sparse.csr_matrix((np.ones(n, data.dtype), (labels, np.arange(n))), (k, n))
        sums = np.asarray(members @ data)
        empty = ~sums.any(axis=1)
        sums[empty] = centres[empty]  # an emptied cluster keeps its centre
        centres = _unit(sums)
    return centres, labels


def cluster_vectors(
    vectors: np.ndarray, *, merge_distance: float = MERGE_DISTANCE, seed: int = 0
) -> np.ndarray:
    """A cluster label per row of unit ``vectors`` (N, D), labels 0..k-1, biggest first.

    :param merge_distance: clusters whose centroids are closer (1 - cosine) become one.
    """
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    data = _unit(np.asarray(vectors, dtype=np.float32))
    distinct = len(np.unique(data.round(3), axis=0)) if n <= 2000 else n
    if distinct < 2:
        return np.zeros(n, dtype=np.int64)
    k = min(distinct, max(round(math.sqrt(n / 2)), 8), 150)  # over-partition, then merge
    centroids, labels = spherical_kmeans(data, k, seed=seed)
    used = np.unique(labels)
    centroids = centroids[used].astype(np.float64)
    labels = np.searchsorted(used, labels)
    if len(used) > 1:
        tree = linkage(centroids, method="average", metric="cosine")
        merged = fcluster(tree, t=merge_distance, criterion="distance") - 1
        labels = merged[labels]
    sizes = np.bincount(labels)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels]


def pool_customer(vectors: np.ndarray, is_customer: Sequence[bool]) -> np.ndarray:
    """One unit vector for an interaction: the mean of its customer rows (all rows if none)."""
    mask = np.asarray(is_customer, dtype=bool)
    rows = vectors[mask] if mask.any() else vectors
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def top_terms(
    cluster_texts: Sequence[str], background: Sequence[Sequence[str]], limit: int = TERMS
) -> list[str]:
    """Words frequent in this cluster's texts and rare in the other clusters' (tf-idf like)."""
    docs = [set(_WORD.findall(t.lower())) - STOPWORDS for t in cluster_texts]
    if not docs:
        return []
    here = Counter(w for d in docs for w in d)
    df = Counter(w for texts in background for t in texts for w in set(_WORD.findall(t.lower())))
    n_docs = sum(len(texts) for texts in background) or 1
    scored = [
        (count / len(docs) * math.log((1 + n_docs) / (1 + df.get(word, 0))), word)
        for word, count in here.items()
        if count >= 2 or len(docs) < 4
    ]
    return [w for _, w in sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]]


# --- queries ----------------------------------------------------------------------------------


def previous_period(f: Filters) -> Filters:
    """The period of equal length just before ``f``."""
    days = (f.last - f.first).days + 1
    return replace(f, first=f.first - timedelta(days=days), last=f.first - timedelta(days=1))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for lo in range(0, len(ids), CHUNK):
        yield ids[lo : lo + CHUNK]


def _candidates(
    user: User, f: Filters, below: float, limit: int
) -> list[tuple[int, bytes, int, list[int]]]:
    query = (
        _matching(user, f)
        .join(SegmentEmbeddings, SegmentEmbeddings.interaction_id == Interaction.id)
        .where(
            SegmentEmbeddings.model == encoder.model_name(),
            or_(Interaction.top_tag_confidence.is_(None), Interaction.top_tag_confidence < below),
        )
        .with_only_columns(
            Interaction.id,
            SegmentEmbeddings.vectors,
            SegmentEmbeddings.dims,
            SegmentEmbeddings.positions,
        )  # fmt: skip
        .order_by(Interaction.started_at.desc())
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def _customer_positions(ids: Sequence[int]) -> dict[int, set[int]]:
    """Per interaction with a transcript, the positions of its customer segments."""
    out: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        rows = db.session.execute(
            select(Transcript.interaction_id, Segment.position)
            .join(Segment, Segment.transcript_id == Transcript.id)
            .where(Transcript.interaction_id.in_(chunk), Segment.speaker == Speaker.CUSTOMER)
        )
        for interaction_id, position in rows:
            out.setdefault(interaction_id, set()).add(position)
    return out


def _segment_texts(ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Redacted customer texts by interaction and position (all speakers for one-piece texts)."""
    out: dict[int, dict[int, str]] = {}
    for chunk in _chunks(ids):
        rows = db.session.execute(
            select(Transcript.interaction_id, Segment.position, Segment.speaker,
                   Segment.redacted_text)
            .join(Segment, Segment.transcript_id == Transcript.id)
            .where(Transcript.interaction_id.in_(chunk))
        )  # fmt: skip
        by_item: dict[int, list[tuple[int, Speaker, str]]] = {}
        for interaction_id, position, speaker, text in rows:
            by_item.setdefault(interaction_id, []).append((position, speaker, text))
        for interaction_id, segs in by_item.items():
            customer = [(p, t) for p, s, t in segs if s == Speaker.CUSTOMER]
            out[interaction_id] = dict(customer or [(p, t) for p, _, t in segs])
    return out


def _total(user: User, f: Filters) -> int:
    query = _matching(user, f).with_only_columns(func.count(Interaction.id)).order_by(None)
    return int(db.session.scalar(query) or 0)


def _embeddings(ids: Sequence[int]) -> dict[int, SegmentEmbeddings]:
    out: dict[int, SegmentEmbeddings] = {}
    for chunk in _chunks(ids):
        rows = db.session.scalars(
            select(SegmentEmbeddings).where(
                SegmentEmbeddings.interaction_id.in_(chunk),
                SegmentEmbeddings.model == encoder.model_name(),
            )
        )
        out.update({row.interaction_id: row for row in rows})
    return out


def _quotes(members: Sequence[int], centroid: np.ndarray) -> tuple[Quote, ...]:
    """The customer segments closest to the centroid, one per interaction."""
    embeddings = _embeddings(members)
    texts = _segment_texts(members)
    best: list[tuple[float, int, int]] = []
    for interaction_id in members:
        row = embeddings.get(interaction_id)
        own = texts.get(interaction_id, {})
        if row is None or not own:
            continue
        sims = unpack_vectors(row) @ centroid
        ranked = [
            (float(sims[i]), position)
            for i, position in enumerate(row.positions)
            if position in own and len(own[position].split()) >= 3
        ] or [(float(sims[i]), p) for i, p in enumerate(row.positions) if p in own]
        if ranked:
            sim, position = max(ranked)
            best.append((sim, interaction_id, position))
    best.sort(reverse=True)
    seen: list[set[str]] = []
    quotes: list[Quote] = []
    repeats: list[Quote] = []
    for _, interaction_id, position in best:
        text = texts[interaction_id][position].strip()
        words = set(_WORD.findall(text.lower())) - STOPWORDS
        if any(len(words & other) > NEAR_DUPLICATE * len(words | other) for other in seen):
            repeats.append(Quote(interaction_id, text))  # the same words, another greeting
            continue
        seen.append(words)
        quotes.append(Quote(interaction_id, text))
    # varied quotes first; near-repeats only to reach QUOTES examples for a new tag
    shown = {q.text.lower() for q in quotes}
    for quote in repeats:
        if len(quotes) >= QUOTES:
            break
        if quote.text.lower() not in shown:
            shown.add(quote.text.lower())
            quotes.append(quote)
    return tuple(quotes[:QUOTES])


# --- the service ------------------------------------------------------------------------------


def emerging_topics(
    user: User, f: Filters, *, below: float = LOW_CONFIDENCE, limit: int = MAX_ITEMS
) -> Emerging:
    """Clusters of the period's untagged or low-confidence interactions, with their growth.

    :param below: an interaction whose best tag confidence is under this (or never tagged)
        is a candidate.
    :param limit: at most this many candidates per period, the most recent.
    """
    started = time.perf_counter()
    prev = previous_period(f)
    current_rows = _candidates(user, f, below, limit)
    previous_rows = _candidates(user, prev, below, limit)
    rows = current_rows + previous_rows
    ids = [r[0] for r in rows]
    customer = _customer_positions(ids)
    pooled = np.zeros((len(rows), encoder.DIMENSIONS), dtype=np.float32)
    for n, (interaction_id, packed, dims, positions) in enumerate(rows):
        matrix = np.frombuffer(packed, dtype=np.float16).reshape(len(positions), dims)
        mine = customer.get(interaction_id, set())
        pooled[n] = pool_customer(matrix.astype(np.float32), [p in mine for p in positions])
    labels = cluster_vectors(pooled)
    is_current = np.arange(len(rows)) < len(current_rows)
    total, previous_total = _total(user, f), _total(user, prev)

    drafts = []
    for label in range(int(labels.max()) + 1 if len(labels) else 0):
        members = np.flatnonzero(labels == label)
        now = members[is_current[members]]
        if len(now) < MIN_CLUSTER:
            continue
        centroid = _unit(pooled[members].mean(axis=0, keepdims=True))[0]
        closest = now[np.argsort(-(pooled[now] @ centroid), kind="stable")]
        before = int(len(members) - len(now))
        test = event_stats.compare_shares(before, previous_total, len(now), total)
        drafts.append((label, [ids[i] for i in closest], before, centroid, test.p_value))

    q_values = event_stats.benjamini_hochberg([d[4] if d[4] is not None else 1.0 for d in drafts])
    samples = {d[0]: d[1][:TERM_SAMPLE] for d in drafts}
    texts = _segment_texts([i for sample in samples.values() for i in sample])
    joined = {
        label: [" ".join(texts.get(i, {}).values()) for i in sample]
        for label, sample in samples.items()
    }
    clusters = []
    for (label, members, before, centroid, p_value), q_value in zip(drafts, q_values, strict=True):
        others = [t for other, t in joined.items() if other != label]
        clusters.append(
            Cluster(
                number=0,
                size=len(members),
                previous=before,
                share=len(members) / total if total else 0.0,
                previous_share=before / previous_total if previous_total else 0.0,
                p_value=p_value,
                q_value=q_value if p_value is not None else None,
                quotes=_quotes(members[: QUOTES * 4], centroid),
                terms=tuple(top_terms(joined[label], others)),
                interaction_ids=tuple(members),
            )
        )
    clusters.sort(key=lambda c: (not c.is_growing, -c.size))
    numbered = tuple(replace(c, number=n + 1) for n, c in enumerate(clusters))
    return Emerging(
        filters=f,
        previous_first=prev.first,
        previous_last=prev.last,
        clusters=numbered,
        total=total,
        previous_total=previous_total,
        candidates=len(current_rows),
        previous_candidates=len(previous_rows),
        below=below,
        seconds=time.perf_counter() - started,
    )


# --- cache: clustering a month takes seconds, pages and the home notice reuse it --------------

_cache: dict[tuple[object, ...], tuple[float, Emerging]] = {}
_lock = threading.Lock()
_failed_at: float | None = None  # monotonic time of the last failed background snapshot


def _key(user: User, f: Filters, below: float) -> tuple[object, ...]:
    scope = user.agent_id if user.role is Role.AGENT else None
    return (str(db.session.get_bind().engine.url), scope, f, below)  # one cache per database


def cached_emerging(
    user: User, f: Filters, *, below: float = LOW_CONFIDENCE, refresh: bool = False
) -> Emerging:
    """``emerging_topics`` remembered for ``CACHE_SECONDS`` per visibility scope and filters."""
    key = _key(user, f, below)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and not refresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    result = emerging_topics(user, f, below=below)
    with _lock:
        _cache[key] = (time.monotonic(), result)
    return result


def clear_cache() -> None:
    """Forget computed results and any back-off after a failed background run."""
    global _failed_at
    with _lock:
        _cache.clear()
    _failed_at = None


def cluster_members(
    user: User, f: Filters, number: int, below: float = LOW_CONFIDENCE
) -> tuple[Cluster | None, list[Interaction]]:
    """One cluster of the result the page shows and its interactions, for the drill-down."""
    result = emerging_for(user, f, below=below)
    cluster = next((c for c in result.clusters if c.number == number), None)
    if cluster is None:
        return None, []
    ids = list(cluster.interaction_ids[:DRILL_LIMIT])
    rows = {
        i.id: i
        for chunk in _chunks(ids)
        for i in db.session.scalars(_matching(user, f).where(Interaction.id.in_(chunk)))
    }
    return cluster, [rows[i] for i in ids if i in rows]


# --- stored snapshots: the site-wide default period, computed in the background --------------


def configured_below() -> float:
    """The confidence under which an interaction is a candidate (``EMERGING_CONFIDENCE_BELOW``)."""
    return float(current_app.config.get("EMERGING_CONFIDENCE_BELOW") or LOW_CONFIDENCE)


def _snapshot_key(below: float) -> str:
    return f"site-wide default period, below {below:.2f}"


def _site_wide() -> User:
    """A stand-in for any user who sees every interaction (the scope reads only the role)."""
    return User(role=Role.ADMIN)


def sees_site_wide(user: User) -> bool:
    """Agents' views are scoped to their own interactions: never the site-wide snapshot."""
    return user.role is not Role.AGENT


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _to_json(result: Emerging) -> dict[str, Any]:
    return {
        "previous_first": result.previous_first.isoformat(),
        "previous_last": result.previous_last.isoformat(),
        "total": result.total,
        "previous_total": result.previous_total,
        "candidates": result.candidates,
        "previous_candidates": result.previous_candidates,
        "below": result.below,
        "seconds": result.seconds,
        "clusters": [
            {
                "number": c.number,
                "size": c.size,
                "previous": c.previous,
                "share": c.share,
                "previous_share": c.previous_share,
                "p_value": _finite(c.p_value),
                "q_value": _finite(c.q_value),
                "quotes": [[q.interaction_id, q.text] for q in c.quotes],
                "terms": list(c.terms),
                "interaction_ids": [int(i) for i in c.interaction_ids[:DRILL_LIMIT]],
            }
            for c in result.clusters
        ],
    }


def _from_row(row: EmergingSnapshot) -> Emerging:
    data = row.result
    clusters = tuple(
        Cluster(
            number=c["number"],
            size=c["size"],
            previous=c["previous"],
            share=c["share"],
            previous_share=c["previous_share"],
            p_value=c["p_value"],
            q_value=c["q_value"],
            quotes=tuple(Quote(int(i), str(t)) for i, t in c["quotes"]),
            terms=tuple(c["terms"]),
            interaction_ids=tuple(c["interaction_ids"]),
        )
        for c in data["clusters"]
    )
    return Emerging(
        filters=Filters(row.first, row.last, row.tz),
        previous_first=date.fromisoformat(data["previous_first"]),
        previous_last=date.fromisoformat(data["previous_last"]),
        clusters=clusters,
        total=data["total"],
        previous_total=data["previous_total"],
        candidates=data["candidates"],
        previous_candidates=data["previous_candidates"],
        below=data["below"],
        seconds=data["seconds"],
        computed_at=row.computed_at,
    )


def store_snapshot(result: Emerging) -> EmergingSnapshot:
    """Store a site-wide default-period result, replacing the older ones of its key; flushes."""
    key = _snapshot_key(result.below)
    for older in db.session.scalars(select(EmergingSnapshot).filter_by(filters_key=key)):
        db.session.delete(older)
    db.session.flush()
    f = result.filters
    row = EmergingSnapshot(computed_at=utcnow(), first=f.first, last=f.last, tz=f.tz,
                           filters_key=key, result=_to_json(result))  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def compute_snapshot(tz: str | None = None, below: float | None = None) -> EmergingSnapshot:
    """Cluster the site-wide default period (seconds at scale) and store it; flushes."""
    f = Filters.default(tz or current_app.config["SITE_TIMEZONE"])
    return store_snapshot(
        emerging_topics(_site_wide(), f, below=configured_below() if below is None else below)
    )


def _latest_row(f: Filters, below: float, max_age: timedelta) -> EmergingSnapshot | None:
    return db.session.scalars(
        select(EmergingSnapshot)
        .where(
            EmergingSnapshot.filters_key == _snapshot_key(below),
            EmergingSnapshot.first == f.first,
            EmergingSnapshot.last == f.last,
            EmergingSnapshot.tz == f.tz,
            EmergingSnapshot.computed_at >= utcnow() - max_age,
        )
        .order_by(EmergingSnapshot.computed_at.desc())
        .limit(1)
    ).first()


def stored_emerging(
    user: User, f: Filters, below: float, max_age: timedelta = SNAPSHOT_MAX_AGE
) -> Emerging | None:
    """The stored snapshot answering these filters for this user, if one is recent enough."""
    if not sees_site_wide(user) or f != Filters.default(f.tz):
        return None
    row = _latest_row(f, below, max_age)
    return _from_row(row) if row is not None else None


def emerging_for(user: User, f: Filters, *, below: float = LOW_CONFIDENCE) -> Emerging:
    """What the page shows: a fresh stored snapshot when one answers, else computed live.

    A live site-wide default-period result is stored too (flushed; the view commits), so the
    next request and the home notice of every process read it.
    """
    stored = stored_emerging(user, f, below)
    if stored is not None:
        return stored
    if sees_site_wide(user) and f == Filters.default(f.tz):
        result = emerging_topics(user, f, below=below)
        store_snapshot(result)
        return result
    return cached_emerging(user, f, below=below)


def export_rows(result: Emerging) -> list[list[object]]:
    """The clusters as sheet rows: what the cards show, quotes already redacted."""
    rows: list[list[object]] = [
        ["number", "topic", "size now", "size before", "share now", "share before",
         "change in share", "p", "q (BH)", "growing", "top terms", "representative quotes"]
    ]  # fmt: skip
    for c in result.clusters:
        rows.append([
            c.number, c.name, c.size, c.previous, round(c.share, 6), round(c.previous_share, 6),
            round(c.growth, 4) if c.growth is not None else "new",
            round(c.p_value, 6) if c.p_value is not None else "",
            round(c.q_value, 6) if c.q_value is not None else "",
            "yes" if c.is_growing else "", ", ".join(c.terms),
            "\n".join(q.text for q in c.quotes),
        ])  # fmt: skip
    return rows


def stored_growing(user: User, tz: str, below: float) -> list[Cluster]:
    """Growing topics of the stored snapshot, for the home notice (which never clusters)."""
    stored = stored_emerging(user, Filters.default(tz), below, NOTICE_MAX_AGE)
    return stored.growing if stored is not None else []


def refresh_snapshot_if_due(every: timedelta = SNAPSHOT_EVERY) -> bool:
    """The worker sweep's hook: recompute when the snapshot is older than ``every`` or answers
    another period. Commits; a failure is logged, never raised (it must not stop the sweep),
    and the next try waits ``every``. Returns whether a snapshot was stored."""
    global _failed_at
    if _failed_at is not None and time.monotonic() - _failed_at < every.total_seconds():
        return False
    try:
        f = Filters.default(current_app.config["SITE_TIMEZONE"])
        if _latest_row(f, configured_below(), every) is not None:
            return False
        compute_snapshot(f.tz)
        db.session.commit()
    except Exception:  # noqa: BLE001  (analytics must never stop the job sweep)
        db.session.rollback()
        _failed_at = time.monotonic()
        log.exception("emerging topics snapshot failed; trying again later")
        return False
    _failed_at = None
    return True
