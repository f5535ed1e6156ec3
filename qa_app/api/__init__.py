from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from qa_app.api import views  # noqa: E402,F401
