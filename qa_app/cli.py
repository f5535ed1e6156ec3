"""``flask --app qa_app ...`` commands."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from qa_app.extensions import db


def register(app: Flask) -> None:
    from qa_app.calls.commands import (
        import_command,
        rescore_command,
        sweep_command,
        worker_command,
    )

    for command in (import_command, rescore_command, sweep_command, worker_command):
        app.cli.add_command(command)

    from qa_app.analytics.commands import import_texts_command

    app.cli.add_command(import_texts_command)

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Add demo users, teams, a rubric and a few interactions (idempotent)."""
        from qa_app.demo import RealUsersPresent, seed_demo

        try:
            report = seed_demo()
        except RealUsersPresent as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(
            f"demo data ready: {report.created_users} users and "
            f"{report.created_interactions} interactions added "
            f"(sign in as admin@example.com / demo)"
        )

    @app.cli.command("draw-samples")
    def draw_samples_command() -> None:
        """Draw every active sampling rule into its review queue (seeds go to the audit log)."""
        from qa_app.reviews.sampling import draw_all

        draws = draw_all()
        db.session.commit()
        for d in draws:
            click.echo(f"rule {d.rule_id}: {len(d.picked)} of {d.candidates} drawn (seed {d.seed})")

    @app.cli.command("create-api-key")
    @click.argument("email")
    @click.option("--name", default="cli", help="A label to recognise the key by.")
    def create_api_key_command(email: str, name: str) -> None:
        """Create an API key for a user and print it once."""
        from qa_app.api.services import create_api_key
        from qa_app.auth.models import User

        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user with e-mail {email}")
        token, _ = create_api_key(user, name)
        db.session.commit()
        click.echo(token)

    @app.cli.command("import-catalog")
    @click.argument("directory", required=False)
    def import_catalog_command(directory: str | None) -> None:
        """Import coaching modules from DIRECTORY (default: the shipped catalog); idempotent."""
        import training
        from qa_app.coaching.services import import_catalog

        try:
            catalog = training.load_catalog(directory)
        except (training.CatalogError, FileNotFoundError) as exc:
            raise click.ClickException(str(exc)) from exc
        report = import_catalog(catalog)
        db.session.commit()
        click.echo(
            f"catalog imported: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )

    @app.cli.command("coaching-sweep")
    def coaching_sweep_command() -> None:
        """Mark late assignments overdue, auto-assign when the policy says so, send reminders."""
        from qa_app.coaching.services import refresh_overdue, run_auto_assign, send_due_reminders

        late = refresh_overdue()
        created = run_auto_assign()
        reminded = send_due_reminders()
        db.session.commit()
        click.echo(
            f"{late} assignment(s) now overdue; {len(created)} auto-assigned; "
            f"{reminded} reminder(s) sent"
        )
