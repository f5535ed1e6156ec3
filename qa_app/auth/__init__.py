from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from qa_app.auth import views  # noqa: E402,F401
