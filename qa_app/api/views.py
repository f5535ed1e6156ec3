"""REST API authenticated by ``Authorization: Bearer <key>``; no cookies, so no CSRF."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from qa_app.api import bp
from qa_app.api.services import user_for_token
from qa_app.calls.services import recent_interactions
from qa_app.extensions import csrf, db
from qa_app.permissions import POLICIES

csrf.exempt(bp)
F = TypeVar("F", bound=Callable[..., Any])


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    header = request.headers.get("Authorization", "")
    user = user_for_token(header[7:]) if header.startswith("Bearer ") else None
    if user is None:
        response = jsonify(error="missing or invalid API key")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    db.session.commit()  # last_used_at
    g.api_user = user
    return None


def api_requires(policy: str) -> Callable[[F], F]:
    """The API's twin of ``permissions.requires``: the key's user must pass ``policy``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not POLICIES[policy](g.api_user, None):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_policy = policy  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


@bp.route("/interactions")
@api_requires("can_view_interaction")
def interactions() -> dict[str, Any]:
    items = recent_interactions(g.api_user)
    return {
        "interactions": [
            {
                "id": i.id,
                "channel": i.channel.value,
                "agent_id": i.agent_id,
                "status": i.status.value,
                "started_at": i.started_at.isoformat(),
                "duration_s": i.duration_s,
            }
            for i in items
        ]
    }
