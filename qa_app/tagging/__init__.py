from flask import Blueprint

bp = Blueprint("tagging", __name__, url_prefix="/taxonomy", template_folder="templates")

from qa_app.tagging import decision_views, views  # noqa: E402,F401
