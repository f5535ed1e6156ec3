"""Unbound extensions; ``create_app`` binds them to an app."""

from __future__ import annotations

import sqlite3
from typing import Any

from celery import Celery, Task
from flask import Flask, has_app_context
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


class AppTask(Task):
    """Runs a task in a fresh app context of the app bound last (not of the first app that
    created the task class); run eagerly from inside an app context, it uses that one."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.request.is_eager and has_app_context():
            return self.run(*args, **kwargs)
        with celery.flask_app.app_context():  # type: ignore[attr-defined]
            return self.run(*args, **kwargs)


celery = Celery("callqa", task_cls=AppTask)


def init_celery(app: Flask) -> Celery:
    """Bind the Celery object to the app: every task runs inside an app context."""
    celery.flask_app = app  # type: ignore[attr-defined]  (the app AppTask runs tasks in)
    celery.conf.update(
        broker_url=app.config["BROKER_URL"],
        result_backend=app.config["RESULT_BACKEND"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        task_default_queue="default",
        broker_connection_retry_on_startup=True,
        task_always_eager=app.config.get("CELERY_ALWAYS_EAGER", False),
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


SQLITE_AUTO_BEGIN = "callqa_sqlite_auto_begin"  # execution option read by _sqlite_begin


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys, wait on locks, and let SQLAlchemy own transactions.

    pysqlite's own implicit BEGIN breaks SAVEPOINTs; switching it off and emitting BEGIN
    ourselves (below) is SQLAlchemy's documented fix.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    # engines that emit their own BEGIN (kombu's SQLite broker: BEGIN IMMEDIATE) opt out
    if conn.dialect.name == "sqlite" and conn.get_execution_options().get(SQLITE_AUTO_BEGIN, True):
        conn.exec_driver_sql("BEGIN")
