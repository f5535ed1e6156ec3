"""``flask --app qa_app ...`` commands."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from qa_app.extensions import db


def register(app: Flask) -> None:
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
