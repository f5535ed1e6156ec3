"""``flask analytics rollup [--rebuild]``: bring the hourly analytics rollup up to date;
``flask analytics emerging``: store the site-wide emerging-topics snapshot.

Run it every few minutes (cron, or a Celery beat entry) and after bulk imports; pages fall
back to the raw query when the last refresh is older than ``rollup.MAX_LAG``.
"""

from __future__ import annotations

import time

import click

from qa_app.analytics import bp, emerging, rollup
from qa_app.extensions import db


@bp.cli.command("rollup")
@click.option("--rebuild", is_flag=True, help="Recount every hour instead of the changed ones.")
def rollup_command(rebuild: bool) -> None:
    """Recount the hours changed since the last refresh (everything the first time)."""
    started = time.perf_counter()
    if rebuild:
        rollup.rebuild()
        done = "all hours"
    else:
        ranges = rollup.refresh()
        done = "all hours" if ranges < 0 else f"{ranges} changed hour range(s)"
    db.session.commit()
    click.echo(f"analytics rollup: {done} recounted in {time.perf_counter() - started:.1f} s")


@bp.cli.command("emerging")
def emerging_command() -> None:
    """Cluster the site-wide default period's emerging topics and store the snapshot."""
    started = time.perf_counter()
    row = emerging.compute_snapshot()
    db.session.commit()
    clusters = len(row.result["clusters"])
    click.echo(
        f"emerging topics: {clusters} topic(s) for {row.first} to {row.last} stored "
        f"in {time.perf_counter() - started:.1f} s"
    )
