from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from qa_app.admin import views  # noqa: E402,F401
