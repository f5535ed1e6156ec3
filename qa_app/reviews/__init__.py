from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews", template_folder="templates")

from qa_app.reviews import quality_views, views  # noqa: E402,F401
