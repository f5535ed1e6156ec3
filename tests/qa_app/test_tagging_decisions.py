"""Reviewers' tag decisions through HTTP: confirm/reject/undo/add, measured precision,
negative examples, tag filters, the CSV export and what an analyst sees of an interaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from qa_app.admin.models import AuditEvent
from qa_app.auth.models import Role
from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.reviews.models import Evaluation, EvaluationStatus, QueueEntry, ReviewQueue
from qa_app.tagging.decisions import TagPrecision, tag_precision
from qa_app.tagging.library import to_library
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment, Taxonomy, TaxonomyStatus
from tests.factories import (
    make_agent,
    make_interaction,
    make_tag_assignment,
    make_taxonomy,
    make_user,
)
from tests.qa_app.conftest import csrf_token, login

TURNS = (
    ("agent", "Thanks for calling, how can I help?"),
    ("customer", "You charged my card 4111 1111 1111 1111 twice this month."),
    ("agent", "I am sorry, I will refund the duplicate charge now."),
)
FETCH = {"X-Requested-With": "fetch"}


@dataclass
class World:
    taxonomy: int
    interaction: int
    other: int  # another agent's call, untagged
    billing: int  # assignment ids
    refund: int
    emails: dict[Role, str]
    agent_id: int


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        taxonomy = make_taxonomy(
            (("billing", "complaint"), ("refund", "enquiry"), ("late", "complaint"))
        )
        agent = make_agent(name="Alex")
        interaction = make_interaction(agent, turns=TURNS)
        seg = interaction.transcript.segments[1]
        seg.redacted_text = seg.text.replace("4111 1111 1111 1111", "[CARD]")
        other = make_interaction(make_agent(name="Bea"), turns=TURNS[:2])
        tags = {t.key: t for t in taxonomy.tags}
        billing = make_tag_assignment(interaction, tags["billing"], confidence=0.83, segment=1)
        refund = make_tag_assignment(interaction, tags["refund"], confidence=0.61, segment=2)
        emails = {role: make_user(role).email for role in Role if role is not Role.AGENT}
        emails[Role.AGENT] = make_user(Role.AGENT, agent=agent).email
        db.session.commit()
        return World(taxonomy.id, interaction.id, other.id, billing.id, refund.id, emails, agent.id)


def _decide(client: FlaskClient, w: World, assignment: int, decision: str, **extra: str):
    token = csrf_token(client, f"/calls/{w.interaction}")
    return client.post(
        f"/taxonomy/assignments/{assignment}/decide",
        data={"decision": decision, "csrf_token": token, **extra},
        headers=FETCH,
    )


def _precision(app: Flask, w: World, key: str) -> TagPrecision:
    with app.app_context():
        return tag_precision(w.taxonomy).get(key, TagPrecision())


def test_reviewer_confirms_and_rejects_and_precision_moves(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    assert _precision(app, world, "billing").precision is None
    assert _precision(app, world, "billing").volume == 1

    response = _decide(client, world, world.billing, "confirm")
    assert response.status_code == 200
    assert response.json["state"] == "confirmed"
    p = _precision(app, world, "billing")
    assert (p.confirmed, p.rejected, p.precision) == (1, 0, 1.0)
    low, high = p.interval
    assert 0.0 < low < 0.5 and high == 1.0  # one decision proves little

    assert _decide(client, world, world.refund, "reject").status_code == 200
    p = _precision(app, world, "refund")
    assert (p.confirmed, p.rejected, p.precision, p.volume) == (0, 1, 0.0, 0)

    with app.app_context():
        a = db.session.get(TagAssignment, world.billing)
        assert a.state is AssignmentState.CONFIRMED
        assert a.decided_at is not None
        assert a.decided_by_id is not None
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "TagAssignment")
        ).all()
        assert sorted(actions) == ["tag.confirmed", "tag.rejected"]


def test_undo_returns_a_decision_to_suggested(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.ADMIN])
    _decide(client, world, world.billing, "reject")
    response = _decide(client, world, world.billing, "undo")
    assert response.json["state"] == "suggested"
    assert _precision(app, world, "billing").decided == 0
    again = _decide(client, world, world.billing, "undo")
    assert again.status_code == 422
    assert "no decision to undo" in again.json["message"]


def test_without_javascript_a_decision_redirects_back(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    token = csrf_token(client, f"/calls/{world.interaction}")
    response = client.post(
        f"/taxonomy/assignments/{world.billing}/decide",
        data={"decision": "confirm", "csrf_token": token, "next": "/reviews/queue"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reviews/queue")
    evil = client.post(
        f"/taxonomy/assignments/{world.billing}/decide",
        data={"decision": "confirm", "csrf_token": token, "next": "//evil.example"},
    )
    assert "evil" not in evil.headers["Location"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.TRAINER, Role.ANALYST])
def test_only_reviewers_and_admins_decide(
    app: Flask, client: FlaskClient, world: World, role: Role
) -> None:
    login(client, world.emails[role])
    token = csrf_token(client, "/calls/")
    response = client.post(
        f"/taxonomy/assignments/{world.billing}/decide",
        data={"decision": "confirm", "csrf_token": token},
        headers=FETCH,
    )
    assert response.status_code == 403
    add = client.post(
        f"/taxonomy/interactions/{world.interaction}/tags",
        data={"tag": "late", "csrf_token": token},
    )
    assert add.status_code == 403
    assert _precision(app, world, "billing").decided == 0


def test_a_decision_needs_the_csrf_token_and_a_real_choice(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    no_token = client.post(
        f"/taxonomy/assignments/{world.billing}/decide", data={"decision": "confirm"}
    )
    assert no_token.status_code == 400
    bad = _decide(client, world, world.billing, "maybe")
    assert bad.status_code == 422
    assert "confirm, reject or undo" in bad.json["message"]
    assert client.post("/taxonomy/assignments/999999/decide").status_code in (400, 404)
    assert _precision(app, world, "billing").decided == 0


def test_reviewer_adds_a_missed_tag_and_it_counts_as_a_miss(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    token = csrf_token(client, f"/calls/{world.interaction}")
    response = client.post(
        f"/taxonomy/interactions/{world.interaction}/tags",
        data={"tag": "late", "csrf_token": token},
        headers=FETCH,
    )
    assert response.status_code == 200, response.json
    p = _precision(app, world, "late")
    assert (p.added, p.decided, p.precision, p.volume) == (1, 0, None, 1)
    unknown = client.post(
        f"/taxonomy/interactions/{world.interaction}/tags",
        data={"tag": "nonsense", "csrf_token": token},
        headers=FETCH,
    )
    assert unknown.status_code == 422
    assert "No tag 'nonsense'" in unknown.json["message"]
    # removing the reviewer's own tag deletes it
    with app.app_context():
        added = db.session.scalar(
            select(TagAssignment.id).where(TagAssignment.source == "reviewer")
        )
    assert _decide(client, world, added, "undo").json["state"] == "removed"
    assert _precision(app, world, "late").added == 0


def test_review_panel_shows_tags_with_redacted_evidence(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    html = client.get(f"/taxonomy/interactions/{world.interaction}/tags/panel").get_data(
        as_text=True
    )
    assert "Billing" in html and "83%" in html
    assert "[CARD]" in html and "4111" not in html
    assert 'value="confirm"' in html
    assert 'class="tag-evidence" data-segment="1"' in html  # evidence seeks its transcript line
    assert "Missed a tag?" in html and 'value="late"' in html


def test_decisions_page_lists_matches_and_turns_a_rejection_into_a_negative_example(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    _decide(client, world, world.billing, "reject")
    page = client.get("/taxonomy/tags/billing/decisions").get_data(as_text=True)
    assert "Measured precision" in page and "0%" in page
    assert "[CARD]" in page and "4111" not in page
    assert "Make negative example" not in page  # reviewers decide; analysts own the taxonomy

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.emails[Role.ANALYST])
    page = client.get("/taxonomy/tags/billing/decisions").get_data(as_text=True)
    assert "Make negative example" in page
    token = csrf_token(client, "/taxonomy/tags/billing/decisions")
    response = client.post(
        f"/taxonomy/assignments/{world.billing}/negative", data={"csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Taxonomy).where(Taxonomy.status == TaxonomyStatus.DRAFT))
        assert draft is not None and draft.based_on_id == world.taxonomy
        tag = next(t for t in draft.tags if t.key == "billing")
        assert tag.negative_examples == ["You charged my card [CARD] twice this month."]
        # the library (and so the next back-test and re-tag) reads it
        assert to_library(draft).get("billing").negatives == (
            "You charged my card [CARD] twice this month.",
        )
    page = client.get("/taxonomy/tags/billing/decisions").get_data(as_text=True)
    assert "negative example in draft" in page
    again = client.post(
        f"/taxonomy/assignments/{world.billing}/negative",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "already a negative example" in again.get_data(as_text=True)
    # a suggested (undecided) match cannot become one
    refused = client.post(
        f"/taxonomy/assignments/{world.refund}/negative",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Only a rejected match" in refused.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [(Role.AGENT, 403), (Role.TRAINER, 403)])
def test_decisions_page_is_closed_to_agents_and_trainers(
    client: FlaskClient, world: World, role: Role, status: int
) -> None:
    login(client, world.emails[role])
    assert client.get("/taxonomy/tags/billing/decisions").status_code == status


def test_reviewer_cannot_make_negative_examples(client: FlaskClient, world: World) -> None:
    login(client, world.emails[Role.REVIEWER])
    token = csrf_token(client, "/calls/")
    response = client.post(
        f"/taxonomy/assignments/{world.billing}/negative", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_tag_filters_on_calls_agents_and_queue(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        queue = ReviewQueue(name="All")
        queue.entries.append(QueueEntry(interaction_id=world.interaction))
        queue.entries.append(QueueEntry(interaction_id=world.other))
        db.session.add(queue)
        db.session.commit()
    login(client, world.emails[Role.REVIEWER])
    calls = client.get("/calls/?tag=billing").get_data(as_text=True)
    assert f"#{world.interaction}<" in calls and f"#{world.other}<" not in calls
    assert '<span class="tag-chip">Billing</span>' in calls  # the list's Tags column
    assert f"#{world.other}<" in client.get("/calls/").get_data(as_text=True)
    queued = client.get("/reviews/queue?tag=billing").get_data(as_text=True)
    assert f"#{world.interaction}<" in queued and f"#{world.other}<" not in queued
    none = client.get("/reviews/queue?tag=late").get_data(as_text=True)
    assert "No interaction in your queue carries this tag" in none
    # a rejected tag no longer matches the filter
    _decide(client, world, world.billing, "reject")
    assert f"#{world.interaction}<" not in client.get("/calls/?tag=billing").get_data(as_text=True)
    page = client.get(f"/agents/{world.agent_id}?tag=refund").get_data(as_text=True)
    assert f"#{world.interaction}<" in page and "tagged refund" in page
    assert f"#{world.interaction}<" not in client.get(
        f"/agents/{world.agent_id}?tag=late"
    ).get_data(as_text=True)


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_of_tagged_items(client: FlaskClient, world: World) -> None:
    login(client, world.emails[Role.ANALYST])
    rows = _csv(client, "/taxonomy/export.csv")
    assert {r["tag"] for r in rows} == {"billing", "refund"}
    billing = next(r for r in rows if r["tag"] == "billing")
    assert billing["interaction_id"] == str(world.interaction)
    assert billing["agent"] == "Alex" and billing["channel"] == "voice"
    assert billing["confidence"] == "0.830" and billing["state"] == "suggested"
    assert billing["evidence"] == "You charged my card [CARD] twice this month."
    assert [r["tag"] for r in _csv(client, "/taxonomy/export.csv?tag=refund")] == ["refund"]


@pytest.mark.parametrize("role", [Role.AGENT])
def test_agents_cannot_export_tags(client: FlaskClient, world: World, role: Role) -> None:
    login(client, world.emails[role])
    assert client.get("/taxonomy/export.csv").status_code == 403


def test_analyst_sees_redacted_text_tags_and_mood_but_no_evaluation(
    app: Flask, client: FlaskClient, world: World
) -> None:
    import scoring
    from qa_app.reviews.suggestions import score_interaction, store_rubric

    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        interaction = db.session.get(Interaction, world.interaction)
        score_interaction(interaction, rubric)
        interaction.mood_label, interaction.mood_score = "negative", -0.42
        interaction.mood_start, interaction.mood_end = "neutral", "negative"
        reviewer = make_user(Role.REVIEWER)
        db.session.add(
            Evaluation(
                interaction_id=world.interaction,
                reviewer_id=reviewer.id,
                rubric_id=rubric.id,
                status=EvaluationStatus.SUBMITTED,
                total=57.0,
                comment="SECRET-EVALUATION-COMMENT",
                private_note="SECRET-PRIVATE-NOTE",
            )
        )
        db.session.commit()
    login(client, world.emails[Role.ANALYST])
    response = client.get(f"/calls/{world.interaction}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "[CARD]" in html and "4111" not in html
    assert "Billing" in html and "Customer mood" in html and "negative" in html
    assert 'value="confirm"' not in html  # analysts read tags, reviewers decide
    for leaked in (
        "SECRET-EVALUATION-COMMENT",
        "SECRET-PRIVATE-NOTE",
        "57",
        "AI total",
        "Scorecard",
    ):
        assert leaked not in html
    assert client.get(f"/reviews/interactions/{world.interaction}").status_code == 403


def test_comment_suggestions_come_from_the_published_taxonomy(
    client: FlaskClient, world: World
) -> None:
    login(client, world.emails[Role.REVIEWER])
    data = client.get("/taxonomy/suggest.json?text=something about billing").json
    assert data["suggestions"][0]["key"] == "billing"
    assert client.get("/taxonomy/suggest.json?text=").json == {"suggestions": []}


def test_comment_tags_are_stored_with_the_scorecard_autosave(
    app: Flask, client: FlaskClient
) -> None:
    from tests.qa_app.test_reviews_workflow import build_world, review_url, scored_form

    with app.app_context():
        w = build_world()
        make_taxonomy((("billing", "complaint"), ("refund", "enquiry")))
        db.session.commit()
    login(client, w.reviewer)
    page = client.get(review_url(w)).get_data(as_text=True)
    assert 'id="tag-panel"' in page and "data-comment-tags=" in page
    cid = w.criteria[0][0]
    data = scored_form(client, w, **{f"comment_{cid}": "Refund promised late"})
    url = review_url(w) + "/autosave"
    data[f"comment_tags_{cid}"] = "refund,billing,unknown"
    first = client.post(url, data=data).json
    assert first["ok"]
    data["version"] = str(first["version"])

    def stored() -> list[str]:
        with app.app_context():
            return sorted(
                db.session.scalars(
                    select(Tag.key)
                    .join(TagAssignment, TagAssignment.tag_id == Tag.id)
                    .where(TagAssignment.evaluation_item_id.is_not(None))
                )
            )

    assert stored() == ["billing", "refund"]  # unknown keys are ignored
    version = client.post(url, data={**data, f"comment_tags_{cid}": "refund"}).json["version"]
    assert stored() == ["refund"]
    # a save without the field (no JavaScript) keeps the tags
    data.pop(f"comment_tags_{cid}")
    assert client.post(url, data={**data, "version": str(version)}).json["ok"]
    assert stored() == ["refund"]
    page = client.get(review_url(w)).get_data(as_text=True)
    assert "&#34;refund&#34;" in page  # the picker starts from the stored tags
    with app.app_context():
        evaluation_id = db.session.scalar(select(Evaluation.id))
    shown = client.get(f"/reviews/evaluations/{evaluation_id}").get_data(as_text=True)
    assert '<span class="tag-chip">Refund</span>' in shown  # the comment shows its tag
