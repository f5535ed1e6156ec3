from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/coaching", template_folder="templates")

from qa_app.coaching import views  # noqa: E402,F401
