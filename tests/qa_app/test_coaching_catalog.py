"""The module catalog in the app: import, trainer edits with safe Markdown, export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import training
from qa_app.auth.models import Role
from qa_app.coaching.content import render_markdown
from qa_app.coaching.models import CoachingModule
from qa_app.coaching.services import import_shipped_catalog
from qa_app.extensions import db
from tests.factories import make_user
from tests.qa_app.coaching_helpers import rubric
from tests.qa_app.conftest import csrf_token, login

QUIZ = """pass_mark: 0.75
questions:
  - question: First?
    choices: [yes it is, "no"]
    answer: a
  - question: Second?
    choices: [one, two]
    answer: b
  - question: Third?
    choices: [left, right]
    answer: a
"""


@pytest.fixture
def trainer(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        email = make_user(Role.TRAINER).email
        rubric()
        import_shipped_catalog()
        db.session.commit()
    login(client, email)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(CoachingModule)) or 0


def test_shipped_catalog_import_is_idempotent(app: Flask) -> None:
    with app.app_context():
        first = import_shipped_catalog()
        assert first.created == len(training.load_catalog()) == _count()
        second = import_shipped_catalog()
        assert (second.created, second.updated) == (0, 0)
        assert second.unchanged == first.created


def test_markdown_is_sanitized() -> None:
    html = str(
        render_markdown(
            "# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
            "[click](javascript:alert(3)) and [ok](https://example.org)\n\n**bold**"
        )
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def _module_form(client: FlaskClient, url: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, url),
        "slug": "calm-voice",
        "title": "A calm voice",
        "summary": "Keep your voice level when the customer is not.",
        "criteria": ["empathy"],
        "minutes": "7",
        "content": "# Calm\n\nBreathe out before you answer. <script>steal()</script>",
        "quiz_yaml": QUIZ,
    }
    data.update(changes)
    return data


def test_trainer_creates_a_module_rendered_safely(
    app: Flask, client: FlaskClient, trainer: None
) -> None:
    response = client.post(
        "/coaching/modules/new", data=_module_form(client, "/coaching/modules/new")
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        module = db.session.scalar(
            select(CoachingModule).where(CoachingModule.slug == "calm-voice")
        )
        assert module is not None and module.criteria == ["empathy"]
        assert module.quiz["questions"][1]["answer"] == 1
        module_id = module.id
    page = client.get(f"/coaching/modules/{module_id}").get_data(as_text=True)
    assert "Breathe out before you answer." in page
    assert "<script>steal()" not in page


def test_invalid_module_shows_the_library_problems_on_the_form(
    app: Flask, client: FlaskClient, trainer: None
) -> None:
    bad_quiz = QUIZ.replace("answer: b", "answer: z")
    data = _module_form(client, "/coaching/modules/new", quiz_yaml=bad_quiz, minutes="7")
    response = client.post("/coaching/modules/new", data=data)
    assert response.status_code == 400
    assert "is not one of the choice letters" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(CoachingModule).where(CoachingModule.slug == "calm-voice"))
            is None
        )


def test_trainer_edits_a_module_but_not_its_id(
    app: Flask, client: FlaskClient, trainer: None
) -> None:
    with app.app_context():
        module = db.session.scalar(
            select(CoachingModule).where(CoachingModule.slug == "acknowledging-frustration")
        )
        module_id = module.id
    url = f"/coaching/modules/{module_id}/edit"
    assert "Acknowledging frustration" in client.get(url).get_data(as_text=True)
    data = _module_form(client, url, slug="renamed", title="Acknowledging feelings")
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        module = db.session.get(CoachingModule, module_id)
        assert (
            module.title == "Acknowledging feelings" and module.slug == "acknowledging-frustration"
        )


def test_export_round_trips_through_the_library(
    app: Flask, client: FlaskClient, trainer: None, tmp_path: Path
) -> None:
    response = client.get("/coaching/modules/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path)
    exported = training.load_catalog(tmp_path)
    assert exported == training.load_catalog()


def test_import_upload_updates_by_id_and_rejects_bad_files_whole(
    app: Flask, client: FlaskClient, trainer: None
) -> None:
    shipped = training.load_catalog().get("required-disclosures")
    changed = training.render_module(
        training.Module(**{**shipped.__dict__, "title": "Disclosures, done right"})
    )
    token = csrf_token(client, "/coaching/modules")
    response = client.post(
        "/coaching/modules/import",
        data={
            "csrf_token": token,
            "files": [(io.BytesIO(changed.encode()), "required-disclosures.md")],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "0 new, 1 updated" in response.get_data(as_text=True)
    broken = changed.replace("minutes:", "minutes: -3\nold_minutes:")
    response = client.post(
        "/coaching/modules/import",
        data={
            "csrf_token": token,
            "files": [
                (io.BytesIO(b"---\ntitle: x\n---\n"), "new-one.md"),
                (io.BytesIO(broken.encode()), "required-disclosures.md"),
            ],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Nothing imported" in page and "new-one" in page
    with app.app_context():
        assert (
            db.session.scalar(select(CoachingModule).where(CoachingModule.slug == "new-one"))
            is None
        )


def test_reviewer_reads_modules_but_cannot_edit(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        import_shipped_catalog()
        module_id = db.session.scalar(select(CoachingModule.id).limit(1))
        email = make_user(Role.REVIEWER).email
        db.session.commit()
    login(client, email)
    assert client.get(f"/coaching/modules/{module_id}").status_code == 200
    assert client.get(f"/coaching/modules/{module_id}/edit").status_code == 403
    token = csrf_token(client, "/coaching/modules")
    assert (
        client.post("/coaching/modules/import-shipped", data={"csrf_token": token}).status_code
        == 403
    )


def test_import_catalog_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["import-catalog"])
    assert result.exit_code == 0, result.output
    assert f"{len(training.load_catalog())} new" in result.output
    again = app.test_cli_runner().invoke(args=["import-catalog"])
    assert "0 new, 0 updated" in again.output
