"""Worker entry point: ``celery -A qa_app.celery_app worker``."""

from qa_app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
