"""One log line per request: id, method, route, status, time, user id. Never bodies or queries.

Query strings and form bodies can hold passwords, tokens and transcript text, so only the
path is logged; the request id is echoed in ``X-Request-ID`` so a user can quote it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

logger = logging.getLogger("callqa.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def configure_logging(level: str) -> None:
    root = logging.getLogger("callqa")
    root.setLevel(level.upper())
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.propagate = False  # one line per request, whatever the host app configures


def register_request_log(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        api_user = g.get("api_user")
        if api_user is not None:
            user_id = str(api_user.id)
        elif current_user and current_user.is_authenticated:
            user_id = current_user.get_id()
        else:
            user_id = "-"
        logger.info(
            "request_id=%s method=%s path=%s status=%s ms=%.1f user=%s",
            g.get("request_id", "-"),
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
            user_id,
        )
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
