"""Admins upload, validate, activate and download rubrics; evaluations keep their version."""

from __future__ import annotations

import io

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import scoring
from qa_app.admin.models import AuditEvent
from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.reviews.models import Rubric
from qa_app.reviews.suggestions import store_rubric
from tests.factories import make_user
from tests.qa_app.conftest import csrf_token, login


@pytest.fixture
def admin_client(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        email = make_user(Role.ADMIN).email
        db.session.commit()
    login(client, email)
    return client


def _document(version: str, weight: float = 1) -> bytes:
    doc = scoring.rubric_to_dict(scoring.default_rubric())
    doc["version"] = version
    doc["criteria"][0]["weight"] = weight
    return yaml.safe_dump(doc).encode()


def _upload(client: FlaskClient, content: bytes, name: str = "rubric.yaml", activate: bool = False):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/admin/rubrics"), "file": (io.BytesIO(content), name)}
    if activate:
        data["activate"] = "y"
    return client.post("/admin/rubrics", data=data, content_type="multipart/form-data")


def _active(app: Flask) -> tuple[str, str]:
    with app.app_context():
        rubric = db.session.scalar(select(Rubric).where(Rubric.is_active.is_(True)))
        return rubric.name, rubric.version


def test_upload_a_new_version_and_activate_it(app: Flask, admin_client: FlaskClient) -> None:
    response = _upload(admin_client, _document("2.0", weight=3), activate=True)
    assert response.status_code == 302
    assert _active(app) == ("callqa-default", "2.0")
    with app.app_context():
        versions = db.session.scalars(select(Rubric.version).order_by(Rubric.id)).all()
        assert versions == ["1.0", "2.0"]  # the old version is kept for old evaluations
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rubric.upload"))


def test_activate_an_older_version_again(app: Flask, admin_client: FlaskClient) -> None:
    _upload(admin_client, _document("2.0"), activate=True)
    with app.app_context():
        old_id = db.session.scalar(select(Rubric.id).where(Rubric.version == "1.0"))
    token = csrf_token(admin_client, "/admin/rubrics")
    assert (
        admin_client.post(
            f"/admin/rubrics/{old_id}/activate", data={"csrf_token": token}
        ).status_code
        == 302
    )
    assert _active(app) == ("callqa-default", "1.0")


def test_activation_needs_the_csrf_token(app: Flask, admin_client: FlaskClient) -> None:
    _upload(admin_client, _document("2.0"))
    with app.app_context():
        new_id = db.session.scalar(select(Rubric.id).where(Rubric.version == "2.0"))
    assert admin_client.post(f"/admin/rubrics/{new_id}/activate").status_code == 400
    assert _active(app) == ("callqa-default", "1.0")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"name: x\nversion: '1'\ncriteria: []\nsurprise: 1\n", "r.yaml", "unknown"),
        (b"{not json", "r.json", "cannot parse rubric"),
        (b"\xff\xfe\x00garbage", "r.yaml", "not UTF-8"),
        (b"name: x", "r.txt", "Upload a .yaml, .yml or .json rubric."),
    ],
)
def test_invalid_uploads_are_explained_and_change_nothing(
    app: Flask, admin_client: FlaskClient, content: bytes, name: str, message: str
) -> None:
    response = _upload(admin_client, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Rubric)) == 1


def test_same_version_with_other_content_is_refused(admin_client: FlaskClient) -> None:
    response = _upload(admin_client, _document("1.0", weight=5))
    assert response.status_code == 400
    assert "Raise the version number" in response.get_data(as_text=True)


def test_download_gives_back_a_valid_rubric(app: Flask, admin_client: FlaskClient) -> None:
    with app.app_context():
        rubric_id = db.session.scalar(select(Rubric.id))
    response = admin_client.get(f"/admin/rubrics/{rubric_id}/download")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    again = scoring.parse_rubric(response.get_data(as_text=True))
    assert again == scoring.default_rubric()


def test_non_admins_cannot_download_or_activate(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        rubric_id = store_rubric(scoring.default_rubric()).id
        email = make_user(Role.REVIEWER).email
        db.session.commit()
    login(client, email)
    assert client.get(f"/admin/rubrics/{rubric_id}/download").status_code == 403
    token = csrf_token(client, "/")
    assert (
        client.post(f"/admin/rubrics/{rubric_id}/activate", data={"csrf_token": token}).status_code
        == 403
    )
