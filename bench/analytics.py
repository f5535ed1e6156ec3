"""Analytics at scale: every analytics page and export timed on 1M interactions (PostgreSQL)
and 100k (SQLite), plus emerging-topic clustering of 20k untagged interactions.

    .venv/bin/python bench/analytics.py [--pg-rows 1000000] [--sqlite-rows 100000]
        [--repeat 7] [--budget 60] [--reseed] [--only pg|sqlite] [--pg-url URL]

The PostgreSQL database (default ``callqa_bench_analytics`` on localhost) is created, migrated
to head and bulk-loaded with COPY the first time; later runs reuse it unless ``--reseed``. The
SQLite file lives in ``instance/bench/``. Data: a year of interactions over 200 agents, four
channels and six queues, with mood, 1-2 tags of the demo taxonomy on 85% of them, and the
rest untagged or low-confidence with stored segment vectors (synthetic topic mixtures) and
two transcript segments each, as emerging-topic clustering reads them.

Pages are found in the URL map (every parameterless GET under /analytics, and each export in
csv and xlsx), requested as an analyst with the default filters (the last 28 days), once to
warm up and then ``--repeat`` times (at least twice; fewer once a page has used ``--budget``
seconds); the table prints p50 and p95 in milliseconds and the runs behind them. With few runs
p95 is the slowest run. On a shared machine, run it when the cores are quiet.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from qa_app import create_app  # noqa: E402
from qa_app.extensions import db  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/callqa_bench_analytics"
SQLITE_DIR = ROOT / "instance" / "bench"
DAYS = 365
AGENTS, TEAMS = 200, 20
QUEUES = ("billing", "technical", "sales", "retention", "moves", "general")
CHANNELS = (("voice", 0.6), ("chat", 0.25), ("email", 0.1), ("social", 0.05))
TAGGED_SHARE = 0.85
EMBED_DAYS = 56  # untagged interactions of the last 8 weeks carry vectors (two 28-day periods)
TOPICS = 40
DIMS = 384
TOPIC_WORDS = 6
SEED = 7
ANALYST, PASSWORD = "analyst@bench.example", "bench"


# --- data -------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _app(url: str) -> Any:
    folder = Path(tempfile.mkdtemp(prefix="callqa-bench-"))
    logging.getLogger("callqa.request").setLevel(logging.WARNING)
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "STORAGE_DIR": str(folder / "recordings"),
            "BROKER_URL": f"sqla+sqlite:///{folder / 'broker.db'}",
            "RESULT_BACKEND": f"db+sqlite:///{folder / 'results.db'}",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )


def _fresh_postgres(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _postgres_has_data(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT count(*) FROM interactions")).scalar())
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def _small_rows() -> tuple[int, dict[str, int]]:
    """Teams, agents, an analyst, the published demo taxonomy; returns (analyst id, tag ids)."""
    from qa_app.agents.models import Agent, Team
    from qa_app.auth.models import Role, User
    from qa_app.auth.passwords import hash_password
    from qa_app.tagging.library import store_taxonomy
    from qa_app.tagging.models import TaxonomyStatus
    from scoring.taxonomy import demo_taxonomy

    teams = [Team(name=f"Team {n + 1}") for n in range(TEAMS)]
    db.session.add_all(teams)
    db.session.flush()
    agents = [Agent(name=f"Agent {n + 1}", team_id=teams[n % TEAMS].id) for n in range(AGENTS)]
    db.session.add_all(agents)
    analyst = User(
        email=ANALYST,
        name="Bench analyst",
        password_hash=hash_password(PASSWORD),
        role=Role.ANALYST,
    )
    db.session.add(analyst)
    taxonomy = store_taxonomy(
        demo_taxonomy(),
        name="Northwind",
        version="bench-1",
        status=TaxonomyStatus.PUBLISHED,
    )
    db.session.flush()
    tags = {t.key: t.id for t in taxonomy.tags}
    db.session.commit()
    return analyst.id, tags | {"__taxonomy__": taxonomy.id}


def _topic_vocabulary(rng: np.random.Generator) -> list[list[str]]:
    syllables = ["ra", "mo", "ti", "ke", "lu", "sa", "no", "vi", "de", "pa", "zu", "go"]
    return [["".join(rng.choice(syllables, 3)) for _ in range(TOPIC_WORDS)] for _ in range(TOPICS)]


def generate(n: int, tags: dict[str, int], first_agent: int) -> Iterator[dict[str, list[Any]]]:
    """Batches of rows per table; ids are assigned here (the tables start empty)."""
    rng = np.random.default_rng(SEED)
    now = _now()
    start = now - timedelta(days=DAYS)
    leaf_ids = [v for k, v in tags.items() if k != "__taxonomy__"]
    taxonomy_id = tags["__taxonomy__"]
    centres = rng.standard_normal((TOPICS, DIMS)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vocab = _topic_vocabulary(rng)
    channel_names = [c for c, _ in CHANNELS]
    channel_p = [p for _, p in CHANNELS]
    assignment_id = segment_id = transcript_id = embedding_id = 0
    batch = 50_000
    for lo in range(0, n, batch):
        size = min(batch, n - lo)
        ids = np.arange(lo + 1, lo + size + 1)
        # busier on weekdays and office hours: sample days uniformly, hours from a day profile
        day = rng.integers(0, DAYS, size)
        hour = rng.choice(24, size, p=_hour_profile())
        minute = rng.integers(0, 3600, size)
        started = [
            start + timedelta(days=int(d), hours=int(h), seconds=int(m))
            for d, h, m in zip(day, hour, minute, strict=True)
        ]
        channel = rng.choice(channel_names, size, p=channel_p)
        queue = rng.choice(QUEUES, size)
        agent = rng.integers(first_agent, first_agent + AGENTS, size)
        mood = np.clip(rng.normal(0.05, 0.45, size), -1, 1)
        tagged = rng.random(size) < TAGGED_SHARE
        top = np.where(tagged, rng.uniform(0.5, 0.99, size), rng.uniform(0.05, 0.45, size))
        top_conf = [None if (not t and r < 0.5) else float(c) for t, c, r in
                    zip(tagged, top, rng.random(size), strict=True)]  # fmt: skip
        rows: dict[str, list[Any]] = {
            "interactions": [],
            "tag_assignments": [],
            "transcripts": [],
            "segments": [],
            "segment_embeddings": [],
        }
        for k in range(size):
            score = float(mood[k])
            label = "negative" if score < -0.25 else "positive" if score > 0.25 else "neutral"
            traj = ("better", "worse", "same")[int(rng.integers(0, 3))]
            rows["interactions"].append(
                {
                    "id": int(ids[k]),
                    "channel": str(channel[k]),
                    "agent_id": int(agent[k]),
                    "queue": str(queue[k]),
                    "direction": "inbound",
                    "started_at": started[k],
                    "duration_s": float(rng.integers(30, 900)),
                    "status": "ready",
                    "progress": 100,
                    "attempts": 0,
                    "mood_score": round(score, 3),
                    "mood_label": label,
                    "mood_start": label,
                    "mood_end": label,
                    "mood_trajectory": traj,
                    "mood_detail": "{}",
                    "tagged_taxonomy_id": taxonomy_id,
                    "top_tag_confidence": top_conf[k],
                    "ai_auto_fail": False,
                    "metrics": "{}",
                    "created_at": started[k],
                    "updated_at": started[k],
                }
            )
            if tagged[k]:
                chosen = rng.choice(leaf_ids, 1 + int(rng.random() < 0.4), replace=False)
                for m, tag_id in enumerate(chosen):
                    assignment_id += 1
                    rows["tag_assignments"].append(
                        {
                            "id": assignment_id,
                            "tag_id": int(tag_id),
                            "taxonomy_id": taxonomy_id,
                            "interaction_id": int(ids[k]),
                            "confidence": float(top[k]) if m == 0 else float(top[k]) * 0.8,
                            "evidence": "[]",
                            "source": "auto",
                            "state": "suggested",
                            "created_at": started[k],
                        }
                    )
            elif started[k] >= now - timedelta(days=EMBED_DAYS):
                topic = int(rng.integers(0, TOPICS))
                transcript_id += 1
                rows["transcripts"].append(
                    {
                        "id": transcript_id,
                        "interaction_id": int(ids[k]),
                        "engine": "bench",
                        "model": "none",
                        "language": "en",
                        "speaker_mode": "channels",
                        "created_at": started[k],
                    }
                )
                words = rng.choice(vocab[topic], 4)
                texts = ["How can I help?", f"my {' '.join(words)} problem again"]
                for position, (speaker, text) in enumerate(zip(("agent", "customer"), texts,
                                                               strict=True)):  # fmt: skip
                    segment_id += 1
                    rows["segments"].append(
                        {
                            "id": segment_id,
                            "transcript_id": transcript_id,
                            "position": position,
                            "speaker": speaker,
                            "start_s": position * 3.0,
                            "end_s": position * 3.0 + 2.5,
                            "text": text,
                            "redacted_text": text,
                            "words": "[]",
                        }
                    )
                vectors = np.vstack(
                    [
                        rng.standard_normal(DIMS).astype(np.float32),
                        centres[topic] + 0.045 * rng.standard_normal(DIMS).astype(np.float32),
                    ]
                )
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                embedding_id += 1
                rows["segment_embeddings"].append(
                    {
                        "id": embedding_id,
                        "interaction_id": int(ids[k]),
                        "model": "all-MiniLM-L6-v2-onnx-int8",
                        "dims": DIMS,
                        "positions": "[0, 1]",
                        "vectors": vectors.astype(np.float16).tobytes(),
                        "created_at": started[k],
                    }
                )
        yield rows


def _hour_profile() -> np.ndarray:
    base = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 13, 13, 12, 11, 9, 7, 5, 4, 3,
                     2, 1], dtype=float)  # fmt: skip
    return base / base.sum()


ORDER = ("interactions", "transcripts", "segments", "segment_embeddings", "tag_assignments")


def _copy_postgres(batches: Iterable[dict[str, list[Any]]]) -> dict[str, int]:
    counts = dict.fromkeys(ORDER, 0)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for rows in batches:
            for table in ORDER:
                if not rows[table]:
                    continue
                columns = list(rows[table][0])
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row([row[c] for c in columns])
                counts[table] += len(rows[table])
            raw.commit()
            print(f"  loaded {counts['interactions']:,} interactions", flush=True)
        for table in ORDER:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return counts


def _insert_sqlite(batches: Iterable[dict[str, list[Any]]]) -> dict[str, int]:
    counts = dict.fromkeys(ORDER, 0)
    json_columns = {"mood_detail", "metrics", "evidence", "words", "positions"}
    with db.engine.begin() as conn:
        for rows in batches:
            for table in ORDER:
                if rows[table]:
                    fixed = [
                        {k: (json.loads(v) if k in json_columns else v) for k, v in r.items()}
                        for r in rows[table]
                    ]
                    conn.execute(db.metadata.tables[table].insert(), fixed)
                    counts[table] += len(rows[table])
            print(f"  loaded {counts['interactions']:,} interactions", flush=True)
        conn.execute(sa.text("ANALYZE"))
    return counts


def seed(url: str, n: int) -> None:
    is_pg = url.startswith("postgresql")
    started = time.perf_counter()
    app = _app(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        _, tags = _small_rows()
        first_agent = db.session.scalar(sa.text("SELECT min(id) FROM agents"))
        batches = generate(n, tags, int(first_agent))
        counts = _copy_postgres(batches) if is_pg else _insert_sqlite(batches)
        db.engine.dispose()
    print(
        f"  seeded {n:,} interactions ({counts['tag_assignments']:,} tags, "
        f"{counts['segment_embeddings']:,} with vectors) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def prepare(url: str) -> str:
    """Migrate the bench database to head; fill the hourly rollup, or refresh it (pages read
    it only while fresh)."""
    from qa_app.analytics import rollup
    from qa_app.analytics.models import HourlyCount

    app = _app(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        line = ""
        if not db.session.scalar(sa.select(HourlyCount.id).limit(1)):
            t0 = time.perf_counter()
            rollup.rebuild()
            db.session.commit()
            rows = db.session.scalar(sa.select(sa.func.count(HourlyCount.id)))
            line = f"rollup rebuilt: {rows:,} rows in {time.perf_counter() - t0:.1f} s"
        else:
            t0 = time.perf_counter()
            ranges = rollup.refresh()
            db.session.commit()
            line = (
                f"rollup refreshed incrementally ({ranges} hour ranges changed) in "
                f"{time.perf_counter() - t0:.1f} s"
            )
        print(f"  {line}", flush=True)
        db.engine.dispose()
    return line


# --- timing -----------------------------------------------------------------------------------


def _pages(app: Any) -> list[str]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/analytics") or "GET" not in (rule.methods or ()):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"fmt"}:
            urls += [rule.rule.replace("<fmt>", fmt) for fmt in ("csv", "xlsx")]
    return [u for u in urls if not u.endswith(".json")]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_pages(
    url: str, repeat: int, label: str, budget_s: float = 60.0
) -> list[tuple[str, str, float, float, object, int]]:
    from qa_app.analytics import emerging

    app = _app(url)
    out = []
    with app.app_context():
        client = app.test_client()
        signed_in = client.post("/login", data={"email": ANALYST, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
        for page in _pages(app):
            times = []
            status: int | str = 0
            spent = 0.0
            for n in range(repeat + 1):
                if n > 2 and spent > budget_s:
                    break  # a slow page: fewer runs, its p95 is the slowest of them
                if "emerging" in page:
                    emerging.clear_cache()  # time the clustering, not the cache
                t0 = time.perf_counter()
                try:
                    status = client.get(page).status_code
                except Exception as exc:  # a page another change broke: report, go on
                    status = f"{type(exc).__name__}"
                    db.session.rollback()
                elapsed = (time.perf_counter() - t0) * 1000
                spent += elapsed / 1000
                if n:
                    times.append(elapsed)
            p50, p95 = statistics.median(times), _percentile(times, 0.95)
            out.append((label, page, p50, p95, status, len(times)))
            print(f"  {label:<10} {page:<40} p50 {p50:8.0f} ms  p95 {p95:8.0f} ms  ({status})",
                  flush=True)  # fmt: skip
        db.engine.dispose()
    return out


def time_clustering(url: str, label: str, items: int = 20_000) -> str:
    """The emerging-topic service over the last 8 weeks, and clustering ``items`` vectors."""
    from qa_app.analytics import emerging
    from qa_app.analytics.services import Filters
    from qa_app.auth.models import User

    app = _app(url)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ANALYST))
        today = _now().date()
        f = Filters(today - timedelta(days=27), today, "UTC")
        cpu, t0 = time.process_time(), time.perf_counter()
        result = emerging.emerging_topics(user, f)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
        line = (
            f"  {label:<10} emerging_topics: {result.candidates:,} + {result.previous_candidates:,}"
            f" candidates, {len(result.clusters)} topics in {wall:.1f} s wall / {cpu:.1f} s CPU"
        )
        rng = np.random.default_rng(1)
        centres = rng.standard_normal((TOPICS, DIMS))
        vectors = centres[rng.integers(0, TOPICS, items)] + 0.9 * rng.standard_normal((items, DIMS))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        t0 = time.perf_counter()
        labels = emerging.cluster_vectors(vectors.astype(np.float32))
        line += (
            f"; cluster_vectors on {items:,} vectors: {int(labels.max()) + 1} clusters in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        db.engine.dispose()
    print(line, flush=True)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("CALLQA_BENCH_PG_URL", PG_URL))
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per page before fewer runs"
    )
    parser.add_argument("--only", choices=("pg", "sqlite"))
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")

    results = []
    lines = []
    if args.only in (None, "pg"):
        if args.reseed or not _postgres_has_data(args.pg_url):
            print(f"seeding PostgreSQL with {args.pg_rows:,} interactions", flush=True)
            _fresh_postgres(args.pg_url)
            seed(args.pg_url, args.pg_rows)
        lines.append(prepare(args.pg_url))
        results += time_pages(args.pg_url, args.repeat, f"pg {args.pg_rows // 1000}k", args.budget)
        lines.append(time_clustering(args.pg_url, "pg"))
    if args.only in (None, "sqlite"):
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        path = SQLITE_DIR / f"analytics-{args.sqlite_rows}.db"
        url = f"sqlite:///{path}"
        if args.reseed or not path.exists():
            path.unlink(missing_ok=True)
            print(f"seeding SQLite with {args.sqlite_rows:,} interactions", flush=True)
            seed(url, args.sqlite_rows)
        lines.append(prepare(url))
        results += time_pages(url, args.repeat, f"sqlite {args.sqlite_rows // 1000}k", args.budget)
        lines.append(time_clustering(url, "sqlite"))

    out = io.StringIO()
    out.write(
        "\n| database | page | p50 ms | p95 ms | runs | status |\n"
        "| --- | --- | ---: | ---: | ---: | --- |\n"
    )
    for label, page, p50, p95, status, runs in results:
        out.write(f"| {label} | `{page}` | {p50:.0f} | {p95:.0f} | {runs} | {status} |\n")
    print(out.getvalue() + "\n".join(line for line in lines if line))


if __name__ == "__main__":
    main()
