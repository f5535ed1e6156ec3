"""``flask import`` and ``flask rescore``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

import scoring
from qa_app.calls.models import Direction, Interaction, Recording, Status
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, Evaluation, Rubric, ScoreSuggestion
from qa_app.reviews.suggestions import score_interaction, store_rubric
from tests.factories import make_agent, make_interaction, make_user
from tests.qa_app.calls_helpers import MONO, STEREO, SentJobs, sent_fixture  # noqa: F401


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "calls" / "nested").mkdir(parents=True)
    shutil.copy(STEREO, tmp_path / "calls" / "a.wav")
    shutil.copy(MONO, tmp_path / "calls" / "nested" / "b.wav")
    (tmp_path / "calls" / "notes.txt").write_text("not a call")
    return tmp_path / "calls"


def test_import_with_metadata(app: Flask, folder: Path, sent: SentJobs) -> None:
    with app.app_context():
        agent = make_agent(name="Priya Patel")
        agent.employee_ref = "A-77"
        db.session.commit()
        agent_id = agent.id
    csv = folder.parent / "meta.csv"
    csv.write_text(
        "file,agent,started_at,customer_ref,direction,queue,external_id\n"
        "a.wav,A-77,2026-11-01T10:15:00,CUST-1,outbound,cards,CONTACT-1\n"
        "nested/b.wav,Priya Patel,2026-11-01T11:00:00+01:00,CUST-2,inbound,,\n"
    )
    result = app.test_cli_runner().invoke(args=["import", str(folder), "--metadata", str(csv)])
    assert result.exit_code == 0, result.output
    assert "imported 2, already present 0, failed 0" in result.output
    with app.app_context():
        a, b = db.session.scalars(select(Interaction).order_by(Interaction.id))
        assert (a.agent_id, a.customer_ref, a.queue, a.external_id) == (
            agent_id,
            "CUST-1",
            "cards",
            "CONTACT-1",
        )
        assert a.direction is Direction.OUTBOUND and a.status is Status.RECEIVED
        assert b.agent_id == agent_id and b.started_at.hour == 10  # stored as UTC
    assert len(sent) == 2

    again = app.test_cli_runner().invoke(args=["import", str(folder), "--metadata", str(csv)])
    assert "imported 0, already present 2, failed 0" in again.output
    with app.app_context():
        assert _count(Interaction) == 2 and _count(Recording) == 2


def test_import_reports_bad_rows_and_imports_the_rest(
    app: Flask, folder: Path, sent: SentJobs
) -> None:
    csv = folder.parent / "meta.csv"
    csv.write_text(
        "file,agent,started_at\n"
        "a.wav,nobody,\n"
        "notes.txt,,\n"
        "../meta.csv,,\n"
        "nested/b.wav,,yesterday\n"
        "missing.wav,,\n"
        "nested/b.wav,,2026-11-02T09:00\n"
    )
    result = app.test_cli_runner().invoke(args=["import", str(folder), "--metadata", str(csv)])
    assert result.exit_code == 1
    out = result.output
    assert "line 2: no agent 'nobody'" in out
    assert "notes.txt: unsupported file type .txt" in out
    assert "../meta.csv: no such file inside the folder" in out
    assert "line 5: started_at 'yesterday' is not an ISO date-time" in out
    assert "imported 1, already present 0, failed 5" in out
    with app.app_context():
        assert _count(Interaction) == 1


def test_import_without_metadata_takes_every_recording(
    app: Flask, folder: Path, sent: SentJobs
) -> None:
    result = app.test_cli_runner().invoke(args=["import", str(folder), "--no-enqueue"])
    assert result.exit_code == 0, result.output
    assert "imported 2" in result.output
    assert sent == []


def test_import_refuses_unknown_csv_columns(app: Flask, folder: Path) -> None:
    csv = folder.parent / "meta.csv"
    csv.write_text("file,agnet\na.wav,x\n")
    result = app.test_cli_runner().invoke(args=["import", str(folder), "--metadata", str(csv)])
    assert result.exit_code != 0
    assert "unknown column(s) agnet" in result.output


def test_rescore_uses_the_active_rubric_and_keeps_old_evaluations(app: Flask) -> None:
    with app.app_context():
        old = store_rubric(scoring.default_rubric(), activate=True)
        turns = (
            ("agent", "Thank you for calling, this call is recorded. How can I help?"),
            ("customer", "My bill is wrong and I am upset."),
            ("agent", "I am sorry. I fixed the bill, you get a refund today."),
            ("customer", "Thanks, that solves it."),
        )
        first, second = make_interaction(turns=turns), make_interaction(turns=turns)
        untouched = make_interaction(turns=turns)
        for interaction in (first, second, untouched):
            score_interaction(interaction, old)
        reviewer = make_user()
        db.session.add(
            Evaluation(interaction_id=first.id, reviewer_id=reviewer.id, rubric_id=old.id)
        )
        spec = scoring.rubric_to_dict(scoring.default_rubric())
        spec["version"] = "2-test"
        new = store_rubric(scoring.rubric_from_dict(spec), activate=True)
        db.session.commit()
        ids = (first.id, second.id, untouched.id, new.id, old.id)

    result = app.test_cli_runner().invoke(args=["rescore", str(ids[0]), str(ids[1])])
    assert result.exit_code == 0, result.output
    assert f"rescored 2 interaction(s) with {spec['name']} v2-test" in result.output
    with app.app_context():
        for interaction_id, rubric_id in ((ids[0], ids[3]), (ids[1], ids[3]), (ids[2], ids[4])):
            interaction = db.session.get(Interaction, interaction_id)
            assert interaction.scored_rubric_id == rubric_id
            rubric_ids = set(
                db.session.scalars(
                    select(Criterion.rubric_id)
                    .join(ScoreSuggestion)
                    .where(ScoreSuggestion.interaction_id == interaction_id)
                )
            )
            assert rubric_ids == {rubric_id}
        evaluation = db.session.scalar(select(Evaluation))
        assert evaluation.rubric_id == ids[4]  # still the version it was made with
        assert db.session.get(Rubric, ids[4]) is not None


def test_rescore_needs_a_selection_and_an_active_rubric(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rescore", "--all"])
    assert result.exit_code != 0 and "no active rubric" in result.output
    with app.app_context():
        store_rubric(scoring.default_rubric(), activate=True)
        db.session.commit()
    result = runner.invoke(args=["rescore"])
    assert result.exit_code != 0 and "select interactions" in result.output
