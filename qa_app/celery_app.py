"""Worker entry point: ``celery -A qa_app.celery_app worker`` (``flask worker`` runs this)."""

from qa_app import create_app
from qa_app.tasks import configure_worker

flask_app = create_app()
celery_app = configure_worker(flask_app)
