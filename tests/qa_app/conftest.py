"""The web app against a migrated database: SQLite by default, PostgreSQL when
``CALLQA_TEST_DATABASE_URL`` is set. Each test runs inside a transaction that is rolled back."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qa_app import create_app
from qa_app.auth.models import User
from qa_app.extensions import db
from tests.factories import PASSWORD


def fresh_postgres_database(url: str) -> str:
    """Drop and recreate the test database so every run starts empty."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL at {target.host}:{target.port} is not reachable: {exc.orig}")
    finally:
        admin.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CALLQA_TEST_DATABASE_URL")
    if url:
        return fresh_postgres_database(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_test_app(database_url: str, folder: Path, **overrides: object) -> Flask:
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "STORAGE_DIR": str(folder / "recordings"),
            "BROKER_URL": f"sqla+sqlite:///{folder / 'broker.db'}",
            "RESULT_BACKEND": f"db+sqlite:///{folder / 'results.db'}",
            "TESTING": True,
            **overrides,
        }
    )


@pytest.fixture(scope="session")
def _migrated_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()  # PostgreSQL connections must not outlive the run


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    """The app with its engine swapped for one connection inside a transaction."""
    with _migrated_app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        db.session.remove()
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield _migrated_app
    finally:
        with _migrated_app.app_context():
            db.session.remove()
        outer.rollback()
        connection.close()
        engines[None] = engine


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_TOKEN = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, user: User | str, password: str = PASSWORD) -> None:
    email = user if isinstance(user, str) else user.email
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
