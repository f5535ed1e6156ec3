"""Back-test of a draft over stored history (real encoder vectors), and the history loader."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import scoring
from qa_app.auth.models import Role
from qa_app.extensions import celery, db
from qa_app.tagging.backtest import backtest_draft
from qa_app.tagging.history import count_history, iter_history, redacted_texts
from qa_app.tagging.library import store_taxonomy
from qa_app.tagging.models import RunKind, RunStatus, TaggingRun, Taxonomy, TaxonomyStatus
from qa_app.tagging.services import TagData, save_tag, start_draft
from scoring import encoder
from tests.factories import make_interaction, make_segment_embeddings, make_user
from tests.qa_app.conftest import csrf_token, login

TAXONOMY = {
    "version": "shop-1",
    "kinds": ["complaint"],
    "tags": [
        {"key": "delivery", "name": "Delivery", "rule": {"any": ["parcel"]}},
        {"key": "billing", "name": "Billing", "rule": {"any": ["bill"], "speaker": "customer"}},
        {
            "key": "broadband",
            "name": "Broadband",
            "examples": ["my internet keeps dropping", "the wifi is down again"],
        },
    ],
}

# (customer line, tags under the published version)
HISTORY = [
    ("My parcel never came and I want a refund for it", {"delivery"}),
    ("The parcel was left in the rain, refund me", {"delivery"}),
    ("Where is my parcel", {"delivery"}),
    ("My bill is wrong this month", {"billing"}),
    ("I was charged twice, give me a refund", set()),
    ("Thanks, all good", set()),
]


@pytest.fixture(autouse=True)
def context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def history(context: None) -> dict[str, object]:
    published = store_taxonomy(
        scoring.taxonomy_from_dict(TAXONOMY),
        name="Shop",
        version="shop-1",
        status=TaxonomyStatus.PUBLISHED,
    )
    ids = []
    for line, _ in HISTORY:
        interaction = make_interaction(
            turns=(("agent", "Hello, how can I help?"), ("customer", line))
        )
        # the quote people see is the redacted text, never the text the tagger read
        interaction.transcript.segments[1].redacted_text = "[redacted] " + line
        make_segment_embeddings(interaction)
        ids.append(interaction.id)
    db.session.commit()
    return {"published": published.id, "ids": ids}


def _draft_with_refund_split(actor_role: Role = Role.ADMIN) -> Taxonomy:
    """The edit under test: 'refund' now vetoes delivery and is a tag of its own."""
    actor = make_user(actor_role)
    draft = start_draft(actor)
    save_tag(
        draft,
        TagData(
            key="delivery",
            name="Delivery",
            kind="complaint",
            rule={"any": ["parcel"], "none": ["refund"]},
        ),
        actor,
        new=False,
    )
    save_tag(
        draft,
        TagData(key="refund", name="Refund", kind="complaint", rule={"any": ["refund"]}),
        actor,
        new=True,
    )
    db.session.commit()
    return draft


def test_history_loader_gives_turns_and_their_stored_vectors(history: dict) -> None:
    ids = history["ids"]
    assert count_history() == len(HISTORY)
    batches = list(iter_history(batch_size=4))
    assert [len(b) for b in batches] == [4, 2]
    first = batches[0]
    assert first.ids == ids[:4]
    item = first.items[0]
    assert item.interaction_id == str(ids[0])
    assert [(t.id, t.speaker, t.text) for t in item.turns] == [
        (0, "agent", "Hello, how can I help?"),
        (1, "customer", HISTORY[0][0]),
    ]
    assert item.turns[1].start == 3.0 and item.turns[1].end == 5.5
    expected = encoder.encode([HISTORY[0][0]])[0]
    assert first.vectors[0].shape == (2, encoder.DIMENSIONS)
    assert np.allclose(first.vectors[0][1], expected, atol=2e-3)  # float16 storage
    only = list(iter_history(interaction_ids=[ids[5], ids[1]]))
    assert [b.ids for b in only] == [[ids[1], ids[5]]]
    assert redacted_texts([ids[0]])[(ids[0], 1)].startswith("[redacted] ")


def test_vectors_stored_for_some_segments_get_zero_rows_elsewhere(context: None) -> None:
    interaction = make_interaction(
        turns=(("agent", "Hi"), ("customer", "my wifi is down"), ("agent", "ok"))
    )
    make_segment_embeddings(interaction, positions=[1])
    (batch,) = list(iter_history())
    matrix = batch.vectors[0]
    assert matrix.shape == (3, encoder.DIMENSIONS)
    assert not matrix[0].any() and not matrix[2].any() and matrix[1].any()


def test_backtest_counts_gains_and_losses_per_changed_tag(history: dict) -> None:
    ids = history["ids"]
    draft = _draft_with_refund_split()
    published = db.session.get(Taxonomy, history["published"])
    steps = []
    result = backtest_draft(
        draft, published, batch_size=4, progress=lambda s, d, t: steps.append((s, d, t))
    )
    assert result["items"] == len(HISTORY)
    assert steps[0] == ("history", 0, 6) and steps[-1] == ("history", 6, 6)
    changes = {c["tag"]: c for c in result["changes"]}
    # billing and broadband did not change and moved nothing: left out
    assert set(changes) == {"delivery", "refund"}
    delivery, refund = changes["delivery"], changes["refund"]
    assert (delivery["status"], delivery["before"], delivery["after"]) == ("changed", 3, 1)
    assert (delivery["gained"], delivery["lost"]) == (0, 2)
    assert [s["id"] for s in delivery["lost_sample"]] == ids[:2]
    assert (refund["status"], refund["before"], refund["after"]) == ("added", 0, 3)
    assert [s["id"] for s in refund["gained_sample"]] == [ids[0], ids[1], ids[4]]
    # samples are explained from the redacted text
    sample = refund["gained_sample"][0]
    assert sample["quote"] == "[redacted] " + HISTORY[0][0]
    assert "refund" in sample["why"]
    lost = delivery["lost_sample"][0]
    assert lost["quote"].startswith("[redacted] ") and "parcel" in lost["why"]
    assert result["changes"][0]["tag"] in ("delivery", "refund")


def test_backtest_run_through_the_task_and_its_pages(history: dict, client: FlaskClient) -> None:
    draft = _draft_with_refund_split()
    user = make_user(Role.ANALYST)
    db.session.commit()
    login(client, user.email)
    before = celery.conf.task_always_eager
    celery.conf.task_always_eager = True
    try:
        response = client.post(
            "/taxonomy/draft/backtest", data={"csrf_token": csrf_token(client, "/taxonomy/")}
        )
    finally:
        celery.conf.task_always_eager = before
    assert response.status_code == 302
    db.session.expire_all()
    run = db.session.scalar(select(TaggingRun).where(TaggingRun.kind == RunKind.BACKTEST))
    assert run.taxonomy_id == draft.id
    assert run.status is RunStatus.DONE, run.error
    assert (run.completed, run.total) == (6, 6)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "before <strong>3</strong>" in page and "after <strong>1</strong>" in page
    assert "−2 lost" in page and "+3 gained" in page
    assert "[redacted] My parcel never came" in page
    assert f'href="/calls/{history["ids"][0]}"' in page
    status = client.get(f"/taxonomy/runs.json?ids={run.id}").get_json()
    assert status[str(run.id)]["status"] == "done"
    draft_page = client.get(f"/taxonomy/versions/{draft.id}").get_data(as_text=True)
    assert "last back-test" in draft_page and "2 tag(s) move" in draft_page


def test_a_failing_run_stores_its_error(history: dict) -> None:
    from qa_app.tasks import run_tagging

    draft = _draft_with_refund_split()
    run = TaggingRun(taxonomy=draft, kind=RunKind.BACKTEST)
    db.session.add(run)
    # the draft stops validating behind the editor's back (a leaf without examples or rule)
    next(t for t in draft.tags if t.key == "refund").rule = None
    db.session.commit()
    assert run_tagging(run.id) == "failed"
    db.session.expire_all()
    failed = db.session.get(TaggingRun, run.id)
    assert failed.status is RunStatus.FAILED
    assert "has neither examples nor a rule" in failed.error
    assert run_tagging(run.id) == "skipped"  # a duplicate message does nothing


def test_only_a_draft_is_backtested(history: dict, client: FlaskClient) -> None:
    user = make_user(Role.ADMIN)
    db.session.commit()
    login(client, user.email)
    token = csrf_token(client, "/taxonomy/")
    assert client.post("/taxonomy/draft/backtest", data={"csrf_token": token}).status_code == 404
    agent = make_user(Role.REVIEWER)
    db.session.commit()
    client.post("/logout", data={"csrf_token": token})
    login(client, agent.email)
    token = csrf_token(client, "/")
    assert client.post("/taxonomy/draft/backtest", data={"csrf_token": token}).status_code == 403
    assert client.get("/taxonomy/runs/1").status_code == 403


def test_a_queued_backtest_shows_progress_until_a_worker_runs_it(
    history: dict, client: FlaskClient
) -> None:
    from qa_app.tasks import run_tagging

    _draft_with_refund_split()
    user = make_user(Role.ADMIN)
    db.session.commit()
    login(client, user.email)
    response = client.post(
        "/taxonomy/draft/backtest", data={"csrf_token": csrf_token(client, "/taxonomy/")}
    )
    assert response.status_code == 302
    run = db.session.scalar(select(TaggingRun).where(TaggingRun.kind == RunKind.BACKTEST))
    assert run.status is RunStatus.QUEUED  # sent to the broker; no worker in this test
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'data-run-id="{run.id}"' in page and 'data-status="queued"' in page
    assert "/taxonomy/runs.json" in page
    assert client.get(f"/taxonomy/runs.json?ids={run.id}").get_json() == {
        str(run.id): {
            "status": "queued",
            "step": "queued",
            "completed": 0,
            "total": 0,
            "error": None,
        }
    }
    assert run_tagging(run.id) == "done"  # what the worker does with the message
    db.session.expire_all()
    status = client.get(f"/taxonomy/runs.json?ids={run.id}").get_json()[str(run.id)]
    assert (status["status"], status["completed"], status["total"]) == ("done", 6, 6)


def test_the_sweep_fails_runs_whose_worker_died_and_resends_unsent_ones(history: dict) -> None:
    from datetime import timedelta

    from qa_app.tagging.runs import sweep_runs
    from qa_app.tasks import run_tagging
    from qa_app.timeutil import utcnow

    draft = _draft_with_refund_split()
    long_ago = utcnow() - timedelta(hours=2)
    lost = TaggingRun(
        taxonomy=draft, kind=RunKind.BACKTEST, status=RunStatus.RUNNING, started_at=long_ago
    )
    running = TaggingRun(
        taxonomy=draft, kind=RunKind.BACKTEST, status=RunStatus.RUNNING, started_at=utcnow()
    )
    unsent = TaggingRun(taxonomy=draft, kind=RunKind.BACKTEST, created_at=long_ago)
    fresh = TaggingRun(taxonomy=draft, kind=RunKind.BACKTEST)
    db.session.add_all([lost, running, unsent, fresh])
    db.session.commit()

    assert sweep_runs() == [unsent.id]
    db.session.commit()
    assert lost.status is RunStatus.FAILED and "Start it again" in lost.error
    assert running.status is RunStatus.RUNNING  # a live run is left alone
    assert run_tagging(lost.id) == "skipped"  # the redelivered message still does nothing
    assert run_tagging(unsent.id) == "done"  # what the worker does with the re-sent message
