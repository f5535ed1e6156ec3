"""Back-test and re-tag runs: queued by a view, executed by ``qa_app.tasks.tagging_run_task``.

The run row is the truth the page polls (status, step, completed/total); these functions only
flush, the task commits.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.tagging.backtest import backtest_draft
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import RunKind, RunStatus, TaggingRun, Taxonomy, TaxonomyStatus
from qa_app.tagging.services import EditError
from qa_app.timeutil import utcnow

log = logging.getLogger(__name__)
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
# a run queued this long was never picked up (broker down when sent): send it again
RESEND_AFTER = timedelta(minutes=5)
# a back-test of 100k interactions takes seconds and a re-tag minutes: a run still "running"
# after this lost its worker (killed mid-run; the redelivered message is refused as a duplicate)
LOST_AFTER = timedelta(minutes=30)


def get_run(run_id: int) -> TaggingRun | None:
    return db.session.get(TaggingRun, run_id)


def recent_runs(limit: int = 10) -> list[TaggingRun]:
    return list(db.session.scalars(select(TaggingRun).order_by(TaggingRun.id.desc()).limit(limit)))


def runs_by_id(ids: list[int]) -> list[TaggingRun]:
    if not ids:
        return []
    return list(db.session.scalars(select(TaggingRun).where(TaggingRun.id.in_(ids))))


def latest_backtest(taxonomy: Taxonomy) -> TaggingRun | None:
    return db.session.scalar(
        select(TaggingRun)
        .where(TaggingRun.taxonomy_id == taxonomy.id, TaggingRun.kind == RunKind.BACKTEST)
        .order_by(TaggingRun.id.desc())
        .limit(1)
    )


def queue_backtest(draft: Taxonomy, actor: User) -> TaggingRun:
    """:raise EditError: the version is not a draft."""
    if draft.status is not TaxonomyStatus.DRAFT:
        raise EditError(f"Version {draft.version} is {draft.status.value}: back-test a draft.")
    run = TaggingRun(taxonomy=draft, kind=RunKind.BACKTEST, step="queued", created_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    return run


def send_run(run_id: int) -> bool:
    """Send the run to a worker (after the commit that created it); False if the broker is
    unreachable (the run stays queued and the page says so)."""
    from qa_app.tasks import tagging_run_task  # tasks import this module

    try:
        tagging_run_task.apply_async((run_id,), queue="default")
    except Exception:  # noqa: BLE001  (any broker error)
        log.exception("could not send tagging run %s", run_id)
        return False
    return True


def claim_run(run_id: int) -> TaggingRun | None:
    """Mark a queued run running; None when it is gone or already taken (a duplicate)."""
    run = get_run(run_id)
    if run is None or run.status is not RunStatus.QUEUED:
        return None
    run.status = RunStatus.RUNNING
    run.started_at = utcnow()
    run.step = "starting"
    db.session.flush()
    return run


def record_progress(run: TaggingRun, step: str, completed: int, total: int) -> None:
    run.step = step[:40]
    run.completed = int(completed)
    run.total = int(total)
    db.session.flush()


def finish_run(run: TaggingRun, result: dict[str, Any]) -> None:
    run.status = RunStatus.DONE
    run.result = result
    run.step = "done"
    run.completed = max(run.completed, run.total)
    run.finished_at = utcnow()
    db.session.flush()


def fail_run(run_id: int, error: str) -> None:
    run = get_run(run_id)
    if run is None:
        return
    run.status = RunStatus.FAILED
    run.error = error[:2000]
    run.finished_at = utcnow()
    db.session.flush()


def execute_run(run: TaggingRun, progress: Any) -> dict[str, Any]:
    """Do the work of a claimed run; the caller commits.

    A back-test compares the run's draft with the version it was based on (or the published
    one); a re-tag hands the published version to ``qa_app.tagging.ingest.retag_history``.
    """
    if run.kind is RunKind.BACKTEST:
        taxonomy = run.taxonomy
        base = taxonomy.based_on or published_taxonomy()
        return backtest_draft(taxonomy, base, progress=progress, cutoff=run.created_at)
    from qa_app.tagging.ingest import retag_history  # the ingest feature owns re-tagging

    tagged = retag_history(run.taxonomy, progress)
    return {"tagged": int(tagged)}


def sweep_runs() -> list[int]:
    """Fail runs whose worker died and return the ids of queued runs to send again.

    A lost run is marked failed with what to do, so the page stops polling and the user can
    start it again; nothing the run would have written is half-kept (results are stored only
    when a run finishes, re-tags replace assignments per batch and are safe to repeat).
    """
    now = utcnow()
    lost = select(TaggingRun).where(
        TaggingRun.status == RunStatus.RUNNING, TaggingRun.started_at < now - LOST_AFTER
    )
    for run in db.session.scalars(lost):
        run.status = RunStatus.FAILED
        run.error = "The worker stopped during this run (restarted or killed). Start it again."
        run.finished_at = now
        log.warning("tagging run %s lost its worker; marked failed", run.id)
    stuck = select(TaggingRun.id).where(
        TaggingRun.status == RunStatus.QUEUED, TaggingRun.created_at < now - RESEND_AFTER
    )
    resend = list(db.session.scalars(stuck))
    db.session.flush()
    return resend
