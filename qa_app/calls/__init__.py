from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls", template_folder="templates")

from qa_app.calls import views  # noqa: E402,F401
