"""The schema lives in migrations: upgrade, downgrade, upgrade again, and no drift from models."""

from __future__ import annotations

import os
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qa_app.extensions import db
from qa_app.reviews.search import include_object  # search structures no model describes
from tests.qa_app.conftest import fresh_postgres_database, make_test_app

PG_URL = os.environ.get(
    "CALLQA_TEST_MIGRATIONS_PG_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/callqa_migrations_test",
)
VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return fresh_postgres_database(PG_URL)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(empty_database: str, tmp_path: Path) -> None:
    app = make_test_app(empty_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        assert {"users", "interactions", "evaluations", "audit_events"} <= _tables(empty_database)
        flask_migrate.downgrade(revision="base")
        assert _tables(empty_database) == set()
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_object": include_object}
                ),
                db.metadata,
            )
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()


def test_app_start_creates_no_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    app = make_test_app(url, tmp_path)
    with app.app_context():
        app.test_client().get("/login")
    assert _tables(url) == set()


def test_revision_files_are_date_prefixed_with_a_real_downgrade() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    assert files
    for path in files:
        assert path.name[:8].isdigit() and path.name[8] == "_", path.name
        source = path.read_text()
        body = source.split("def downgrade", 1)[1]
        assert "drop_" in body or "alter" in body, f"{path.name}: downgrade does nothing"
