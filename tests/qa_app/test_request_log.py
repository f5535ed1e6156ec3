"""One log line per request with id, timing and user, and nothing secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qa_app.extensions import db
from tests.factories import PASSWORD, make_interaction, make_user
from tests.qa_app.conftest import csrf_token


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    handler = _Collect()
    logger = logging.getLogger("callqa")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def test_one_line_per_request_with_id_timing_and_user(
    app: Flask, client: FlaskClient, log_lines: list[str]
) -> None:
    with app.app_context():
        user = make_user()
        call = make_interaction(turns=(("customer", "my card is 4111 1111 1111 1111"),))
        db.session.commit()
        email, user_id, call_id = user.email, user.id, call.id
    token = csrf_token(client, "/login")
    log_lines.clear()
    response = client.post(
        "/login?next=/calls/", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    client.get(f"/calls/{call_id}?secret=tok123")
    assert len(log_lines) == 2
    first, second = log_lines
    assert f"request_id={response.headers['X-Request-ID']}" in first
    assert "method=POST path=/login status=302" in first and "ms=" in first
    assert f"user={user_id}" in second
    joined = "\n".join(log_lines)
    for secret in (PASSWORD, token, "tok123", "4111", email):
        assert secret not in joined


def test_incoming_request_id_is_kept_when_well_formed(
    client: FlaskClient, log_lines: list[str]
) -> None:
    assert (
        client.get("/login", headers={"X-Request-ID": "abc-12345678"}).headers["X-Request-ID"]
        == "abc-12345678"
    )
    forged = client.get("/login", headers={"X-Request-ID": "bad id user=1"})
    assert forged.headers["X-Request-ID"] != "bad id user=1"
    assert all("bad id" not in line for line in log_lines)
