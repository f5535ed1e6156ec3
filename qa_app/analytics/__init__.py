from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/analytics", template_folder="templates")

from qa_app.analytics import (  # noqa: E402
    emerging_views,  # noqa: F401
    event_views,  # noqa: F401
    import_views,  # noqa: F401
    rollup_commands,  # noqa: F401
    views,  # noqa: F401
)
