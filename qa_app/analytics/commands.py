"""``flask import-texts FILE``: chats and social comments from CSV/JSONL (registered in cli.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from qa_app.analytics.imports import ImportRefused, import_texts
from qa_app.extensions import db


@click.command("import-texts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_texts_command(file: Path) -> None:
    """Import chats and social comments from FILE (CSV or JSONL); commits every batch."""

    def progress(step: str, completed: int, total: int) -> None:
        if total and completed:
            click.echo(f"{step}: {completed}/{total} analysed", err=True)

    try:
        report = import_texts(
            str(file),
            file.read_bytes(),
            current_app.config["SECRET_KEY"],
            progress=progress,
            after_batch=db.session.commit,
        )
    except ImportRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(
        f"{report.imported} imported ({report.analysed} tagged with mood), "
        f"{report.skipped} skipped as duplicates, {len(report.errors)} lines with errors"
    )
    if report.errors and not report.imported:
        raise SystemExit(1)
