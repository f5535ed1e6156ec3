from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/analytics", template_folder="templates")

from qa_app.analytics import views  # noqa: E402,F401
