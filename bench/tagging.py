"""Tagging speed, back-test time and banking77 quality, side by side, in one run.

    .venv/bin/python bench/tagging.py [--quick]

Prints: encoder load time and speed; items per second for rules only, semantic only and both
(with encoding, and on stored vectors); back-test time over 10k and 100k stored items, in
memory (the library) and through the app from a database (rows read by the history loader,
each size in a fresh process for its own peak memory); banking77 test accuracy / macro-F1 for
the centroid baseline, the tagger, and the tagger adapted to unlabeled history. ``--quick``
skips the banking77 adaptation on train texts.

    .venv/bin/python bench/tagging.py --app-backtest 100000 [--database-url URL]

runs only the app back-test for one history size (SQLite in a temporary folder by default).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import encoder  # noqa: E402
from scoring.tagging_backtest import backtest  # noqa: E402
from scoring.tagging_core import Tagger  # noqa: E402
from scoring.tagging_eval import (  # noqa: E402
    centroid_baseline,
    classification_scores,
    forced_choice,
)
from scoring.taxonomy import Taxonomy, demo_taxonomy, load_taxonomy  # noqa: E402
from scoring.types import UNKNOWN, Interaction, Turn  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "banking77"
BANKING_TAXONOMY = ROOT / "tests" / "data" / "scoring" / "tagging" / "banking77_taxonomy.yaml"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _items(texts: list[str]) -> list[Interaction]:
    return [Interaction(str(n), (Turn(0, UNKNOWN, t),), source="item") for n, t in enumerate(texts)]


class Clock:
    """Wall and CPU seconds: CPU time (all threads) stays meaningful on a shared, loaded box."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _variants(tax: Taxonomy) -> dict[str, Taxonomy]:
    has_children = {t.parent for t in tax.tags if t.parent}
    rules = [
        replace(t, examples=()) for t in tax.tags if t.rule is not None or t.key in has_children
    ]
    return {
        "rules only": replace(tax, tags=tuple(rules)),
        "semantic only": replace(tax, tags=tuple(replace(t, rule=None) for t in tax.tags)),
        "both": tax,
    }


def speed(texts: list[str]) -> np.ndarray:
    start = time.perf_counter()
    encoder.encode(["warm up"])
    print(f"encoder {encoder.model_name()}: loaded in {time.perf_counter() - start:.2f} s")
    with Clock() as clock:
        vectors = encoder.encode(texts)
    print(
        f"encode: {len(texts)} texts in {clock.wall:.1f} s wall, {clock.cpu:.1f} s CPU "
        f"({len(texts) / clock.cpu:.0f} texts per CPU second)\n"
    )
    items = _items(texts)
    stored = [vectors[n : n + 1] for n in range(len(items))]
    print("items per second (wall / per CPU second), demo taxonomy, one-sentence items")
    print(f"{'':16s} {'with encoding':>22s} {'on stored vectors':>22s}")
    for name, tax in _variants(demo_taxonomy()).items():
        tagger = Tagger(tax)
        tagger.tag(items[:2])  # examples encoded once per taxonomy version, not timed
        with Clock() as fresh:
            tagger.tag(items)
        with Clock() as warm:
            tagger.tag(items, stored)
        n = len(items)
        print(
            f"{name:16s} {n / fresh.wall:>10.0f} / {n / fresh.cpu:<9.0f}"
            f" {n / warm.wall:>10.0f} / {n / warm.cpu:<9.0f}"
        )
    return vectors


def backtest_timing(vectors: np.ndarray, texts: list[str]) -> None:
    old, new = demo_taxonomy(), _changed_demo_taxonomy()
    rng = np.random.default_rng(0)
    print()
    for count in (10_000, 100_000):
        pick = rng.integers(0, len(texts), count)
        noise = rng.standard_normal((count, vectors.shape[1]), dtype=np.float32)
        noisy = vectors[pick] + 0.02 * noise
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        history = [texts[i] for i in pick]
        with Clock() as clock:
            report = backtest(old, new, noisy, history)
        moved = ", ".join(f"{c.tag} +{c.gained}/-{c.lost}" for c in report.changes[:3])
        print(
            f"back-test {count:>7,} stored items: {clock.wall:6.2f} s wall, {clock.cpu:6.2f} s CPU"
            f"  ({moved})"
        )
    print(f"peak memory (RSS): {_rss_mb():.0f} MB")


def banking77(vectors: np.ndarray, quick: bool) -> None:
    rows = _rows("test.csv")
    gold = [r["label"] for r in rows]
    tagger = Tagger(load_taxonomy(BANKING_TAXONOMY))
    items = _items([r["text"] for r in rows])
    stored = [vectors[n : n + 1] for n in range(len(items))]

    def measure(name: str, chosen: Tagger) -> None:
        confidence = chosen.score(items, stored).confidence
        scores = classification_scores(gold, forced_choice(confidence, chosen.keys))
        kept = confidence.max(axis=1) >= 0.5
        right = np.array(forced_choice(confidence, chosen.keys)) == np.array(gold)
        print(
            f"{name:44s} {scores.accuracy * 100:5.1f}% {scores.macro_f1 * 100:5.1f}"
            f"   kept@0.5 {kept.mean() * 100:4.0f}%, right {right[kept].mean() * 100:4.1f}%"
        )

    print(f"\nbanking77 test ({len(rows)} texts)              accuracy  macro-F1")
    base = classification_scores(gold, centroid_baseline(tagger.prototypes, vectors))
    name = "centroid baseline (description + examples)"
    print(f"{name:44s} {base.accuracy * 100:5.1f}% {base.macro_f1 * 100:5.1f}")
    measure("tagger (0.6 centroid + 0.4 best example)", tagger)
    measure("tagger adapted to the test texts (unlabeled)", tagger.adapt(vectors))
    if not quick:
        train = [r["text"] for r in _rows("train.csv")]
        sample = [train[i] for i in np.random.default_rng(0).permutation(len(train))[:2000]]
        measure(
            "tagger adapted to 2,000 unlabeled train texts", tagger.adapt(encoder.encode(sample))
        )


def _seed_history(count: int, texts: list[str], vectors: np.ndarray) -> None:
    """``count`` stored interactions (agent greeting + a banking77 customer turn), written
    with Core inserts, their vectors noisy copies of the real ones, packed as ingest does."""
    from sqlalchemy import insert

    from qa_app.calls.models import Interaction as Call
    from qa_app.calls.models import Segment, Transcript
    from qa_app.extensions import db
    from qa_app.tagging.library import pack_vectors
    from qa_app.tagging.models import SegmentEmbeddings
    from qa_app.timeutil import utcnow

    rng = np.random.default_rng(0)
    greeting = "Thanks for calling, how can I help you today?"
    hello = encoder.encode([greeting])[0]
    now = utcnow()
    chunk = 5000
    for lo in range(0, count, chunk):
        ids = range(lo + 1, min(count, lo + chunk) + 1)
        pick = rng.integers(0, len(texts), len(ids))
        noisy = vectors[pick] + 0.02 * rng.standard_normal((len(ids), vectors.shape[1]))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        db.session.execute(
            insert(Call),
            [{"id": i, "channel": "voice", "status": "ready", "started_at": now} for i in ids],
        )
        db.session.execute(
            insert(Transcript),
            [
                {
                    "id": i,
                    "interaction_id": i,
                    "engine": "bench",
                    "model": "none",
                    "speaker_mode": "channels",
                }
                for i in ids
            ],
        )
        segments = []
        for n, i in enumerate(ids):
            text = texts[pick[n]]
            for position, (speaker, line) in enumerate((("agent", greeting), ("customer", text))):
                segments.append(
                    {
                        "transcript_id": i,
                        "position": position,
                        "speaker": speaker,
                        "start_s": position * 4.0,
                        "end_s": position * 4.0 + 3.5,
                        "text": line,
                        "redacted_text": line,
                        "words": [],
                    }
                )
        db.session.execute(insert(Segment), segments)
        db.session.execute(
            insert(SegmentEmbeddings),
            [
                {
                    "interaction_id": i,
                    "model": encoder.model_name(),
                    "dims": vectors.shape[1],
                    "positions": [0, 1],
                    "vectors": pack_vectors(np.stack([hello, noisy[n]])),
                }
                for n, i in enumerate(ids)
            ],
        )
        db.session.commit()


def app_backtest(count: int, database_url: str | None) -> None:
    """Back-test a changed demo taxonomy over ``count`` interactions stored in a database."""
    import flask_migrate

    from qa_app import create_app
    from qa_app.extensions import db
    from qa_app.tagging.backtest import backtest_draft
    from qa_app.tagging.history import iter_history
    from qa_app.tagging.library import store_taxonomy
    from qa_app.tagging.models import TaxonomyStatus

    folder = Path(tempfile.mkdtemp(prefix="callqa-bench-"))
    app = create_app(
        {
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "bench",
            "STORAGE_DIR": str(folder / "recordings"),
            "BROKER_URL": f"sqla+sqlite:///{folder / 'broker.db'}",
            "RESULT_BACKEND": f"db+sqlite:///{folder / 'results.db'}",
        }
    )
    rows = _rows("test.csv")
    texts = [r["text"] for r in rows]
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        vectors = encoder.encode(texts)
        with Clock() as seeding:
            _seed_history(count, texts, vectors)
        old = demo_taxonomy()
        published = store_taxonomy(
            old, name="bench", version="bench-1", status=TaxonomyStatus.PUBLISHED
        )
        draft_spec = _changed_demo_taxonomy()
        draft = store_taxonomy(draft_spec, name="bench", version="bench-2", based_on=published)
        db.session.commit()
        before = _rss_mb()
        with Clock() as loading:
            loaded = sum(len(b) for b in iter_history())
        with Clock() as clock:
            result = backtest_draft(draft, published)
        moved = ", ".join(f"{c['tag']} +{c['gained']}/-{c['lost']}" for c in result["changes"][:3])
        print(
            f"app back-test {count:>7,} stored: {clock.wall:6.2f} s wall, {clock.cpu:6.2f} s CPU"
            f" (history read alone {loading.wall:.2f} s for {loaded:,}; seeding took"
            f" {seeding.wall:.0f} s); peak RSS {_rss_mb():.0f} MB, {before:.0f} MB before"
            f"  ({moved})",
            flush=True,
        )


def _changed_demo_taxonomy() -> Taxonomy:
    old = demo_taxonomy()
    tags = list(old.tags)
    for n, tag in enumerate(tags):
        if tag.key == "billing_error" and tag.rule is not None:
            rule = replace(tag.rule, any=(*tag.rule.any, "refund"))
            tags[n] = replace(tag, rule=rule, examples=(*tag.examples, "I want my money back"))
    return replace(old, tags=tuple(tags), version="draft")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip adaptation on train texts")
    parser.add_argument("--app-backtest", type=int, metavar="N", help="only the app back-test")
    parser.add_argument("--database-url", help="for --app-backtest (default: SQLite)")
    args = parser.parse_args()
    if args.app_backtest:
        app_backtest(args.app_backtest, args.database_url)
        return
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    rows = _rows("test.csv")
    texts = [r["text"] for r in rows]
    vectors = speed(texts)
    backtest_timing(vectors, texts)
    print("\nthrough the app: stored history read from SQLite by qa_app.tagging.history")
    for count in (10_000, 100_000):
        subprocess.run(
            [sys.executable, __file__, "--app-backtest", str(count)], check=False, cwd=ROOT
        )
    banking77(vectors, args.quick)


if __name__ == "__main__":
    main()
