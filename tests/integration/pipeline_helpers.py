"""Start and stop real worker processes, send real messages, wait for the database to agree."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
WORKER_APP = "tests.integration.worker_app"


def require_port(port: int, what: str) -> None:
    """Skip (or, under CI, fail) when a local server is not listening."""
    with socket.socket() as sock:
        sock.settimeout(1)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            return
    message = f"{what} is not running on 127.0.0.1:{port} (scripts/services.sh starts it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Worker:
    """A worker process (``flask worker`` or bare ``celery worker``) in its own process group."""

    def __init__(self, config: dict[str, Any], log: Path, *, supervised: bool, name: str) -> None:
        env = {
            **os.environ,
            "CALLQA_TEST_APP_CONFIG": json.dumps(config),
            "CALLQA_INSTANCE_DIR": str(Path(config["STORAGE_DIR"]).parent),
            "PYTHONUNBUFFERED": "1",
        }
        celery_app = f"{WORKER_APP}.celery_app"
        if supervised:
            command = [
                sys.executable, "-m", "flask", "--app", f"{WORKER_APP}:make_app", "worker",
                "--celery-app", celery_app, "-c", "1", "-n", f"{name}@%h", "--sweep-every", "1",
            ]  # fmt: skip
        else:
            command = [
                sys.executable, "-m", "celery", "-A", celery_app, "worker", "-c", "1",
                "-Q", "default,transcription,long", "-n", f"{name}@%h",
                "--without-gossip", "--without-mingle",
            ]  # fmt: skip
        self.log = log
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill_all(self) -> None:
        """SIGKILL the whole process group: main process and pool children, no warning."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 60) -> int:
        """One SIGTERM to the process we started, then wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._out.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill_all()
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def send(broker_url: str, job: Any) -> None:
    """Send a job like ``qa_app.tasks.enqueue`` does, with a Celery of its own (the global one
    belongs to whichever test app was created last)."""
    producer = Celery("test-producer", broker=broker_url)
    task = "qa_app.tasks.transcribe" if job.stage.value == "transcribe" else "qa_app.tasks.score"
    try:
        producer.send_task(task, (job.interaction_id, job.job_id), queue=job.queue)
    finally:
        producer.close()


def wait_for(
    check: Callable[[], Any], timeout: float, what: str, workers: tuple[Worker, ...] = ()
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    logs = "\n".join(w.output() for w in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")
