"""Pipeline commands: import, worker, sweep and rescore (registered in qa_app/cli.py)."""

from __future__ import annotations

import csv
import ctypes
import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qa_app import storage
from qa_app.calls.models import Direction
from qa_app.calls.services import (
    CallMetadata,
    IncomingFile,
    IngestResult,
    find_agent,
    ingest_recording,
    interactions_to_rescore,
    processing_counts,
)
from qa_app.extensions import db

log = logging.getLogger(__name__)
QUEUES = "default,transcription,long"
CSV_COLUMNS = ("file", "agent", "started_at", "customer_ref", "direction", "queue", "external_id")


# --- import ---


def _metadata_rows(folder: Path, metadata: Path | None) -> list[tuple[Path, dict[str, str]]]:
    if metadata is None:
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in storage.ALLOWED_SUFFIXES)
        return [(p, {}) for p in files]
    with metadata.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = set(reader.fieldnames or ())
        if "file" not in columns:
            raise click.ClickException(f"{metadata}: needs a 'file' column")
        unknown = columns - set(CSV_COLUMNS)
        if unknown:
            raise click.ClickException(
                f"{metadata}: unknown column(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(CSV_COLUMNS)}"
            )
        return [(folder / (row.get("file") or "").strip(), row) for row in reader]


def _call_metadata(row: dict[str, str], line: int) -> CallMetadata:
    """One CSV row as metadata; a bad value is an error for that row only."""
    value = {k: (v or "").strip() for k, v in row.items() if k}
    agent_id = None
    if value.get("agent"):
        agent = find_agent(value["agent"])
        if agent is None:
            raise ValueError(f"line {line}: no agent {value['agent']!r}")
        agent_id = agent.id
    started_at = None
    if value.get("started_at"):
        try:
            started_at = datetime.fromisoformat(value["started_at"])
        except ValueError:
            raise ValueError(
                f"line {line}: started_at {value['started_at']!r} is not an ISO date-time"
            ) from None
        if started_at.tzinfo is not None:
            started_at = started_at.astimezone(UTC).replace(tzinfo=None)
    direction = value.get("direction") or "inbound"
    if direction not in {d.value for d in Direction}:
        raise ValueError(f"line {line}: direction must be inbound or outbound")
    return CallMetadata(
        agent_id=agent_id,
        started_at=started_at,
        customer_ref=value.get("customer_ref") or None,
        direction=Direction(direction),
        queue=value.get("queue") or None,
        external_id=value.get("external_id") or None,
    )


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with columns file (relative to FOLDER), agent (employee ref or name), "
    "started_at (ISO), customer_ref, direction, queue, external_id.",
)
@click.option("--enqueue/--no-enqueue", default=True, help="Queue the imported calls for work.")
@with_appcontext
def import_command(folder: Path, metadata: Path | None, enqueue: bool) -> None:
    """Import a folder of recordings; each is stored once and queued for transcription."""
    from qa_app.tasks import enqueue as send

    root = folder.resolve()
    counts = {"imported": 0, "duplicate": 0, "failed": 0}
    for line, (path, row) in enumerate(_metadata_rows(folder, metadata), start=2):
        result: IngestResult
        resolved = path.resolve()
        if root not in resolved.parents or not resolved.is_file():
            result = IngestResult(str(path), error="no such file inside the folder")
        else:
            try:
                meta = _call_metadata(row, line)
            except ValueError as exc:
                result = IngestResult(str(path), error=str(exc))
            else:
                with resolved.open("rb") as fh:
                    result = ingest_recording(
                        IncomingFile(resolved.name, fh), meta, current_app.config["STORAGE_DIR"]
                    )
        if result.error:
            db.session.rollback()
            counts["failed"] += 1
            click.echo(f"error: {path}: {result.error}", err=True)
            continue
        db.session.commit()
        if result.duplicate:
            counts["duplicate"] += 1
            click.echo(f"duplicate: {path} is interaction #{result.interaction_id}")
            continue
        counts["imported"] += 1
        if enqueue:
            send([result.job])
    click.echo(
        f"imported {counts['imported']}, already present {counts['duplicate']}, "
        f"failed {counts['failed']}"
    )
    if counts["failed"]:
        raise SystemExit(1)


# --- rescore ---


@click.command("rescore")
@click.argument("ids", nargs=-1, type=int)
@click.option("--agent", "agent_ref", help="Only this agent's calls (employee ref or name).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Calls started on/after a day.")
@click.option("--all", "everything", is_flag=True, help="Every transcribed interaction.")
@with_appcontext
def rescore_command(
    ids: tuple[int, ...], agent_ref: str | None, since: datetime | None, everything: bool
) -> None:
    """Score selected interactions again with the active rubric.

    Only the AI suggestions are replaced; submitted evaluations keep the rubric version they
    were made with.
    """
    from qa_app.reviews.services import active_rubric
    from qa_app.reviews.suggestions import score_interaction
    from scoring import InputError

    rubric = active_rubric()
    if rubric is None:
        raise click.ClickException("no active rubric: activate one under Admin > Rubrics")
    agent_id = None
    if agent_ref:
        agent = find_agent(agent_ref)
        if agent is None:
            raise click.ClickException(f"no agent {agent_ref!r}")
        agent_id = agent.id
    selected = interactions_to_rescore(ids, agent_id=agent_id, since=since, everything=everything)
    if not (ids or agent_id or since or everything):
        raise click.ClickException("select interactions: IDS, --agent, --since or --all")
    done = skipped = 0
    for interaction in selected:
        try:
            with db.session.begin_nested():
                score_interaction(interaction, rubric)
            done += 1
        except InputError as exc:
            skipped += 1
            click.echo(f"skipped #{interaction.id}: {exc}", err=True)
    db.session.commit()
    click.echo(
        f"rescored {done} interaction(s) with {rubric.name} v{rubric.version}"
        + (f"; skipped {skipped}" if skipped else "")
    )


# --- worker supervision ---


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Re-send jobs whose lease expired (what ``flask worker`` does every few seconds)."""
    from qa_app.tasks import sweep_and_enqueue

    click.echo(f"re-sent {sweep_and_enqueue()} job(s)")


def prune_broker(broker_url: str) -> int:
    """The SQLAlchemy transport never deletes consumed messages; drop them."""
    if not broker_url.startswith("sqla+"):
        return 0
    engine = sa.create_engine(broker_url.removeprefix("sqla+"))
    try:
        with engine.begin() as conn:
            if not sa.inspect(conn).has_table("kombu_message"):
                return 0
            result = conn.execute(
                sa.text("DELETE FROM kombu_message WHERE visible = :no"), {"no": False}
            )
            return result.rowcount or 0
    finally:
        engine.dispose()


def _die_with_parent() -> None:
    """Child set-up: get SIGTERM if this supervisor dies, so no worker is left orphaned."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@click.command("worker")
@click.option("--queues", "-Q", default=QUEUES, show_default=True)
@click.option("--concurrency", "-c", type=int, default=2, show_default=True)
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.option("--hostname", "-n", default=None, help="Worker node name (celery -n).")
@click.option(
    "--sweep-every",
    type=float,
    default=15.0,
    show_default=True,
    help="Seconds between sweeps for lost jobs (0: never).",
)
@click.option("--celery-app", default="qa_app.celery_app", show_default=True, hidden=True)
@with_appcontext
def worker_command(
    queues: str,
    concurrency: int,
    loglevel: str,
    hostname: str | None,
    sweep_every: float,
    celery_app: str,
) -> None:
    """Run a Celery worker as a child process and sweep for lost jobs while it runs.

    SIGTERM or SIGINT sends ONE SIGTERM to the worker's main process (a warm shutdown: the
    running task finishes) and waits for it; the worker never sees the terminal's signals.
    """
    command = [
        sys.executable, "-m", "celery", "-A", celery_app, "worker",
        "-Q", queues, "-c", str(concurrency), "--loglevel", loglevel,
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if hostname:
        command += ["-n", hostname]
    child = subprocess.Popen(command, process_group=0, preexec_fn=_die_with_parent)  # noqa: PLW1509
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            click.echo(f"worker: {signal.Signals(signum).name}: stopping pid {child.pid}", err=True)
            child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"worker pid {child.pid} on queues {queues}; status: {processing_counts()}")
    db.session.remove()
    sweeps = 0
    due = time.monotonic()
    try:
        while child.poll() is None and not stopping.is_set():
            if sweep_every > 0 and time.monotonic() >= due:
                _sweep_once(prune=sweeps % 20 == 0)
                sweeps += 1
                due = time.monotonic() + sweep_every
            stopping.wait(0.5)
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    sys.exit(code if code >= 0 else 128 - code)


def _sweep_once(prune: bool) -> None:
    from qa_app.tasks import sweep_and_enqueue

    try:
        sweep_and_enqueue()
        if prune:
            prune_broker(current_app.config["BROKER_URL"])
    except Exception:  # noqa: BLE001  (a database hiccup must not stop the worker)
        db.session.rollback()
        log.exception("sweep failed; trying again later")
    finally:
        db.session.remove()
