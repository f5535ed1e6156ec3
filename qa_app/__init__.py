"""callqa web application: ``create_app`` wires config, extensions, blueprints and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, render_template

from qa_app.config import load_config
from qa_app.extensions import csrf, db, init_celery, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = load_config(ROOT, config)
    app = Flask(__name__, instance_path=settings["INSTANCE_DIR"], instance_relative_config=True)
    app.config.from_mapping(settings)
    register_extensions(app)
    register_blueprints(app)
    register_error_pages(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from qa_app import models  # noqa: F401  (every table registered before use)
    from qa_app.request_log import configure_logging, register_request_log

    configure_logging(app.config["LOG_LEVEL"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    register_request_log(app)
    init_celery(app)


def register_blueprints(app: Flask) -> None:
    from qa_app.admin import bp as admin_bp
    from qa_app.agents import bp as agents_bp
    from qa_app.analytics import bp as analytics_bp
    from qa_app.api import bp as api_bp
    from qa_app.auth import bp as auth_bp
    from qa_app.calls import bp as calls_bp
    from qa_app.coaching import bp as coaching_bp
    from qa_app.home import bp as home_bp
    from qa_app.reviews import bp as reviews_bp
    from qa_app.tagging import bp as tagging_bp

    for bp in (
        auth_bp,
        home_bp,
        admin_bp,
        agents_bp,
        calls_bp,
        reviews_bp,
        coaching_bp,
        analytics_bp,
        tagging_bp,
        api_bp,
    ):
        app.register_blueprint(bp)


def register_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    messages = {
        400: ("Bad request", "The request could not be understood."),
        403: ("Not allowed", "Your role does not give access to this page."),
        404: ("Not found", "There is nothing here, or it is not yours to see."),
        413: ("Upload too large", ""),
        500: ("Something went wrong", "The error was logged. Please try again in a moment."),
    }

    def render(code: int, detail: str | None = None) -> tuple[str, int]:
        title, text = messages[code]
        if code == 413:
            text = (
                f"Files up to {app.config['MAX_UPLOAD_MB']} MB are accepted. "
                "Split the upload or compress the recording and try again."
            )
        return render_template("error.html", code=code, title=title, text=detail or text), code

    for code in messages:
        app.register_error_handler(code, lambda exc, code=code: render(code))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[str, int]:
        return render(
            400,
            "The form expired or was sent from elsewhere. "
            "Go back, reload the page and submit again.",
        )


def register_template_helpers(app: Flask) -> None:
    from qa_app.permissions import allowed

    app.jinja_env.globals["allowed"] = allowed


def register_cli(app: Flask) -> None:
    from qa_app.cli import register

    register(app)
