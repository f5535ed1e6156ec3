"""Errors render in the app's own look and say what to do."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from qa_app.auth.models import Role
from qa_app.extensions import db
from tests.factories import make_user
from tests.qa_app.conftest import login, make_test_app


def _signed_in(app: Flask, client: FlaskClient, role: Role) -> None:
    with app.app_context():
        user = make_user(role)
        db.session.commit()
        login(client, user.email)


def test_404_and_403_pages(app: Flask, client: FlaskClient) -> None:
    _signed_in(app, client, Role.AGENT)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert 'class="error-page card"' in missing.get_data(as_text=True)
    refused = client.get("/admin/users")
    assert refused.status_code == 403
    assert "Your role does not give access" in refused.get_data(as_text=True)


def test_413_page_says_the_limit(tmp_path: Path) -> None:
    app = make_test_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, MAX_UPLOAD_MB=1)
    response = app.test_client().post(
        "/login", data=b"x" * (2 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "Files up to 1 MB are accepted" in response.get_data(as_text=True)


def test_500_page_hides_the_error(tmp_path: Path) -> None:
    app = make_test_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, TESTING=False)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("internal detail 12345")

    boom.required_policy = "public"  # type: ignore[attr-defined]
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "internal detail" not in page
