from flask import Blueprint

bp = Blueprint("agents", __name__, url_prefix="/agents", template_folder="templates")

from qa_app.agents import views  # noqa: E402,F401
