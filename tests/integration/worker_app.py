"""Worker entry for the pipeline integration tests: the real app and tasks, with the settings
the test passes in ``CALLQA_TEST_APP_CONFIG`` (JSON), e.g. a short job lease.

``celery -A tests.integration.worker_app.celery_app worker`` or
``flask --app tests.integration.worker_app:make_app worker --celery-app ...``.
"""

from __future__ import annotations

import json
import os

from flask import Flask

from qa_app import create_app


def make_app() -> Flask:
    return create_app(json.loads(os.environ["CALLQA_TEST_APP_CONFIG"]))


flask_app = make_app()

from qa_app.tasks import configure_worker  # noqa: E402  (after the app: blueprints first)

celery_app = configure_worker(flask_app)
