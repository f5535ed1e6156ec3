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
vectors), so pages keep the result for ``CACHE_SECONDS`` and the home-page notice only reads
that cache.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from sqlalchemy import func, or_, select

from qa_app.analytics import event_stats
from qa_app.analytics.services import Filters, _matching
from qa_app.auth.models import Role, User
from qa_app.calls.models import Interaction, Segment, Speaker, Transcript
from qa_app.extensions import db
from qa_app.tagging.library import unpack_vectors
from qa_app.tagging.models import SegmentEmbeddings
from scoring import encoder

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

    @property
    def growing(self) -> list[Cluster]:
        return [c for c in self.clusters if c.is_growing]


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


def cached_growing(user: User, f: Filters, below: float = LOW_CONFIDENCE) -> list[Cluster]:
    """Growing clusters of an already computed result (the home page never clusters)."""
    with _lock:
        hit = _cache.get(_key(user, f, below))
    if hit is None or time.monotonic() - hit[0] >= CACHE_SECONDS:
        return []
    return hit[1].growing


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def cluster_members(
    user: User, f: Filters, number: int, below: float = LOW_CONFIDENCE
) -> tuple[Cluster | None, list[Interaction]]:
    """One cluster of the (cached) result and its interactions, for the drill-down."""
    result = cached_emerging(user, f, below=below)
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
