"""Web load: the review list, transcript search and review page on a large PostgreSQL database.

    .venv/bin/python bench/web_load.py                      # 100,000 calls, 2,000,000 lines
    .venv/bin/python bench/web_load.py --interactions 10000 --segments 200000 --requests 60

Creates a database of its own (``callqa_bench`` by default; never the test database), migrates
it to head and fills it with COPY (teams, agents, 100k interactions with AI totals, metrics and
suggestions, 100k transcripts, 2M segments, 10% reviewed). A filled database of the asked size
is reused; ``--rebuild`` starts over. Then it starts gunicorn on loopback, and a second process
signs in as a reviewer and requests each page a bounded number of times (``--requests``, with
``--concurrency`` parallel clients). Server latency comes from the app's own request log (its
``ms=`` per request, matched by ``X-Request-ID``), so it excludes the client; requests per
second are measured by the client. A "floor" row (a signed-in JSON route whose only query loads
the user) shows what the web stack alone costs on the machine at that moment. Goals: p95 < 150 ms
for the list and the review page, < 300 ms for search.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/callqa_bench"
EMAIL, PASSWORD = "bench.reviewer@example.org", "bench-password-1"
GOALS_MS = {"floor": 0.0, "list": 150.0, "search": 300.0, "review": 150.0}
SEARCH_INDEX_SQL = (  # as in revision b5e2f1a90c11; built after the bulk load, which is faster
    "CREATE INDEX IF NOT EXISTS ix_segments_redacted_tsv ON segments USING gin (redacted_tsv)"
)

# --- synthetic transcripts --------------------------------------------------------------------

TOPICS = {
    "billing": "bill invoice charge charged twice refund payment overdue statement fee credit",
    "tech": "router internet outage slow connection reboot modem wifi signal dropping cable",
    "account": "password login account locked email address verify identity security username",
    "orders": "order parcel delivery tracking courier delayed damaged return exchange warehouse",
    "plans": "plan upgrade downgrade contract renewal discount offer annual monthly roaming",
}
AGENT_LINES = (
    "Thank you for calling, my name is {name}, how can I help you today?",
    "I understand, let me check your {topic} details for you.",
    "I can see the {w1} on your account from last {day}.",
    "I have raised a ticket about the {w1} and the {w2}; you will get an email shortly.",
    "Is there anything else I can help you with today?",
    "Thanks for your patience, I am sorry about the {w1}.",
    "Could you confirm the {w1} and your postcode please?",
    "I will apply a {w1} and the {w2} should be fixed within {n} days.",
)
CUSTOMER_LINES = (
    "Hi, I am calling about my {w1}, it has been a problem since {day}.",
    "The {w1} is still not sorted and I was told {n} days ago it would be.",
    "I want to know why there is a {w1} and a {w2} on my account.",
    "Yes my number is [PHONE] and my card ends [CARD].",
    "That is really frustrating, this is the third time I call about the {w2}.",
    "Okay thank you, that helps, I will wait for the {w1}.",
    "Can you just cancel it, I am tired of the {w1} and the {w2}.",
    "Great, thanks a lot for sorting the {w1} so quickly.",
)
NAMES = ("Alex", "Sam", "Jordan", "Priya", "Tom", "Maria", "Lee", "Nina", "Omar", "Zoe")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "week", "month")
SEARCHES = (  # common words, rarer words, phrases, two-word queries, web-search operators
    "refund",
    "router",
    "password locked",
    '"charged twice"',
    "parcel damaged",
    "roaming",
    "courier -delayed",
    "frustrating",
    "cancel contract",
    "modem or router",
    "warehouse",
    "discount renewal",
)


def _line(rng: random.Random, speaker: str, topic: str) -> str:
    words = TOPICS[topic].split()
    template = rng.choice(AGENT_LINES if speaker == "agent" else CUSTOMER_LINES)
    return template.format(
        name=rng.choice(NAMES),
        topic=topic,
        w1=rng.choice(words),
        w2=rng.choice(words),
        day=rng.choice(DAYS),
        n=rng.randint(2, 14),
    )


def _segment_counts(rng: random.Random, interactions: int, segments: int) -> list[int]:
    """Between about 4 and 36 lines per call, summing exactly to ``segments``."""
    base, extra = divmod(segments, interactions)
    counts = [base + (1 if i < extra else 0) for i in range(interactions)]
    spread = max(base - 4, 0)
    for i in range(0, interactions - 1, 2):
        d = rng.randint(-spread, spread) if spread else 0
        counts[i] += d
        counts[i + 1] -= d
    return counts


# --- database ---------------------------------------------------------------------------------


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(url: str, rebuild: bool) -> None:
    import psycopg

    base, name = _libpq(url).rsplit("/", 1)
    if name in {"callqa_test", "postgres", "test", "root"}:
        raise SystemExit(f"web_load: refusing to use database {name!r}; name one of its own")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _app(url: str, instance: Path):  # type: ignore[no-untyped-def]
    from qa_app import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_DIR": str(instance),
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
        }
    )


def filled_size(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        try:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM interactions), (SELECT count(*) FROM segments)"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0, 0
    return int(row[0]), int(row[1])


def fill(url: str, instance: Path, interactions: int, segments: int, seed: int) -> None:
    """Migrate, then bulk-load with COPY (the ORM only makes the handful of users and rubric)."""
    import flask_migrate
    import psycopg

    import scoring
    from qa_app.auth.models import Role
    from qa_app.auth.services import NewUser, create_user
    from qa_app.extensions import db
    from qa_app.reviews.suggestions import store_rubric

    rng = random.Random(seed)
    app = _app(url, instance)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        criteria = [(c.id, c.key) for c in rubric.criteria]
        rubric_id = rubric.id
        db.session.commit()
        db.engine.dispose()

    now = datetime.now(UTC).replace(tzinfo=None)
    t0 = time.perf_counter()
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_segments_redacted_tsv")
        with conn.cursor() as cur:
            with cur.copy("COPY teams (id, name, description, created_at) FROM STDIN") as copy:
                for t in range(1, 13):
                    copy.write_row((t, f"Team {t}", "", now))
            with cur.copy(
                "COPY agents (id, name, team_id, is_active, created_at) FROM STDIN"
            ) as copy:
                for a in range(1, 241):
                    copy.write_row((a, f"Agent {a:03d}", (a - 1) % 12 + 1, True, now))
            for table in ("teams", "agents"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()

    with app.app_context():
        reviewer = create_user(NewUser(EMAIL, "Bench Reviewer", PASSWORD, Role.REVIEWER))
        reviewer_id = reviewer.id
        db.session.commit()
        db.engine.dispose()

    counts = _segment_counts(rng, interactions, segments)
    channels = ["voice"] * 8 + ["chat", "email"]
    with psycopg.connect(_libpq(url)) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY interactions (id, channel, agent_id, customer_ref, queue, direction, started_at,"
            " duration_s, status, progress, attempts, mood_detail, ai_total, ai_auto_fail,"
            " metrics, scored_rubric_id, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, interactions + 1):
                started = now - timedelta(seconds=rng.randint(0, 365 * 86400))
                total = round(min(100.0, max(0.0, rng.gauss(72, 15))), 1)
                metrics = {
                    "agent_talk_ratio": round(rng.uniform(0.3, 0.7), 2),
                    "silence_share": round(rng.uniform(0.02, 0.2), 2),
                    "longest_silence": round(rng.uniform(1, 30), 1),
                    "overtalk_seconds": round(rng.uniform(0, 12), 1),
                    "customer_sentiment_start": round(rng.uniform(-0.6, 0.4), 2),
                    "customer_sentiment_end": round(rng.uniform(-0.5, 0.7), 2),
                }
                copy.write_row(
                    (
                        i,
                        rng.choice(channels),
                        rng.randint(1, 240),
                        f"C{rng.randint(1, 60000):06d}",
                        rng.choice(list(TOPICS)),
                        "inbound",
                        started,
                        counts[i - 1] * 6.0,
                        "ready" if rng.random() < 0.97 else "failed",
                        100,
                        1,
                        "{}",
                        total,
                        total < 40 and rng.random() < 0.5,
                        json.dumps(metrics),
                        rubric_id,
                        started,
                        started,
                    )
                )
        with cur.copy(
            "COPY transcripts (id, interaction_id, engine, model, language, speaker_mode,"
            " created_at) FROM STDIN"
        ) as copy:
            for i in range(1, interactions + 1):
                copy.write_row((i, i, "bench", "synthetic", "en", "channels", now))
        segment_id = 0
        with cur.copy(
            "COPY segments (id, transcript_id, position, speaker, start_s, end_s, text,"
            " redacted_text, confidence, words) FROM STDIN"
        ) as copy:
            for i in range(1, interactions + 1):
                topic = rng.choice(list(TOPICS))
                for position in range(counts[i - 1]):
                    segment_id += 1
                    speaker = "agent" if position % 2 == 0 else "customer"
                    text = _line(rng, speaker, topic)
                    start = position * 6.0
                    copy.write_row(
                        (
                            segment_id,
                            i,
                            position,
                            speaker,
                            start,
                            start + 5.5,
                            text,
                            text,
                            0.9,
                            "[]",
                        )
                    )
        with cur.copy(
            "COPY score_suggestions (interaction_id, criterion_id, score, label, confidence,"
            " evidence, created_at) FROM STDIN"
        ) as copy:
            for i in range(1, interactions + 1):
                for criterion_id, _key in criteria:
                    score = round(rng.random(), 2)
                    copy.write_row(
                        (i, criterion_id, score, "", round(rng.uniform(0.5, 1), 2), "[]", now)
                    )
        with cur.copy(
            "COPY evaluations (interaction_id, reviewer_id, rubric_id, status, total, auto_fail,"
            " comment, private_note, version, created_at, updated_at, submitted_at) FROM STDIN"
        ) as copy:
            for i in rng.sample(range(1, interactions + 1), interactions // 10):
                copy.write_row(
                    (i, reviewer_id, rubric_id, "submitted", 70.0, False, "", "", 1, now, now, now)
                )
        for table in ("interactions", "transcripts", "segments"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        loaded = time.perf_counter() - t0
        print(f"loaded {interactions:,} interactions, {segments:,} segments in {loaded:.0f} s")
        t1 = time.perf_counter()
        cur.execute(SEARCH_INDEX_SQL)
        conn.commit()
        print(f"search index built in {time.perf_counter() - t1:.0f} s")
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- load -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, instance: Path, port: int, workers: int, log: Path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "CALLQA_DATABASE_URL": url,
        "CALLQA_INSTANCE_DIR": str(instance),
        "CALLQA_SECRET_KEY": "bench",
        "CALLQA_LOG_LEVEL": "INFO",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "qa_app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    import requests

    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=30)
            return process
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None:
                raise SystemExit(f"web_load: gunicorn exited; see {log}") from None
            time.sleep(0.2)
    raise SystemExit("web_load: gunicorn did not answer within 60 s")


def _paths(kind: str, rng: random.Random, interactions: int, agents: int = 240) -> str:
    if kind == "floor":  # signed-in JSON, one query: what the stack alone costs on this box
        return "/reviews/session"
    if kind == "review":
        return f"/reviews/interactions/{rng.randint(1, interactions)}"
    if kind == "search":
        q = rng.choice(SEARCHES)
        page = rng.choice([1, 1, 1, 2, 5])
        narrower = rng.choice(
            ["", "", f"&agent={rng.randint(1, agents)}", "&channel=email&ai_max=50"]
        )
        return f"/reviews/interactions?q={q}&page={page}{narrower}"
    page = rng.choice([1, 1, 1, 2, 3, 10, 100])
    filters = rng.choice(
        [
            "",
            f"agent={rng.randint(1, agents)}",
            f"team={rng.randint(1, 12)}",
            "channel=chat",
            "ai_max=40",
            "auto_fail=yes",
            "reviewed=no",
            "sort=ai_low",
            "status=failed",
            f"from={(datetime.now(UTC) - timedelta(days=30)).date().isoformat()}",
            "criterion=greeting&criterion_below=20",
        ]
    )
    return f"/reviews/interactions?{filters}&page={page}"


def drive(base: str, kind: str, requests_n: int, concurrency: int, interactions: int, seed: int,
          out: multiprocessing.Queue) -> None:  # fmt: skip
    """The client process: sign in once per thread, then fetch ``requests_n`` pages."""
    import requests

    def session() -> requests.Session:
        s = requests.Session()
        page = s.get(f"{base}/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        s.post(
            f"{base}/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
            allow_redirects=False,
        )
        return s

    sessions = [session() for _ in range(concurrency)]
    rng = random.Random(seed)
    paths = [_paths(kind, rng, interactions) for _ in range(requests_n)]

    def fetch(n: int) -> tuple[str, float, int, str]:
        request_id = uuid.uuid4().hex
        start = time.perf_counter()
        response = sessions[n % concurrency].get(
            base + paths[n], headers={"X-Request-ID": request_id}, allow_redirects=False
        )
        return request_id, (time.perf_counter() - start) * 1000, response.status_code, paths[n]

    for n in range(min(concurrency, requests_n)):  # warm each worker's connection and caches
        fetch(n)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(fetch, range(requests_n)))
    out.put((time.perf_counter() - start, results))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def server_times(log: Path) -> dict[str, float]:
    pattern = re.compile(r"request_id=(\w+) .* ms=([\d.]+)")
    found = {}
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_URL)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=2_000_000)
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slowest", type=int, default=3, help="print the N slowest URLs")
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    ensure_database(args.db, args.rebuild)
    instance = Path(tempfile.mkdtemp(prefix="callqa-bench-"))
    size = filled_size(args.db)
    if size != (args.interactions, args.segments):
        if size != (0, 0):
            ensure_database(args.db, rebuild=True)
        fill(args.db, instance, args.interactions, args.segments, args.seed)
    else:
        print(
            f"reusing {args.db.rsplit('/', 1)[1]}: {size[0]:,} interactions, {size[1]:,} segments"
        )

    port = _free_port()
    log = instance / "gunicorn.log"
    server = start_server(args.db, instance, port, args.workers, log)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for kind in ("floor", "list", "search", "review"):
            out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
            client = multiprocessing.get_context("spawn").Process(
                target=drive,
                args=(base, kind, args.requests, args.concurrency, args.interactions, args.seed,
                      out),
            )  # fmt: skip
            client.start()
            wall, results = out.get()
            client.join()
            rows.append((kind, wall, results))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    times = server_times(log)
    print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"\n{args.interactions:,} interactions, {args.segments:,} segments; {args.requests} "
        f"requests per page, {args.concurrency} clients, {args.workers} gunicorn workers"
    )
    print("| page | requests | errors | p50 ms | p95 ms | p99 ms | client p95 ms | req/s | goal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    slow = []
    for kind, wall, results in rows:
        server = [times[r] for r, _c, status, _p in results if r in times]
        client = [c for _r, c, _s, _p in results]
        errors = sum(1 for _r, _c, status, _p in results if status >= 400)
        p95 = _pct(server, 95)
        verdict = "met" if p95 < GOALS_MS[kind] else "MISSED"
        goal = f"p95 < {GOALS_MS[kind]:.0f} ms {verdict}" if GOALS_MS[kind] else "(no query)"
        print(
            f"| {kind} | {len(results)} | {errors} | {statistics.median(server):.0f} | "
            f"{p95:.0f} | {_pct(server, 99):.0f} | {_pct(client, 95):.0f} | "
            f"{len(results) / wall:.1f} | {goal} |"
        )
        slow += [(times.get(r, c), kind, p) for r, c, _s, p in results]
    if args.slowest:
        print("\nslowest requests (server ms):")
        for ms, kind, path in sorted(slow, reverse=True)[: args.slowest]:
            print(f"  {ms:7.0f}  {kind:6s} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
