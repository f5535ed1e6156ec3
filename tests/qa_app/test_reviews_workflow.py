"""The review loop through HTTP: scorecard, audit, conflicts, agent answers, disputes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import scoring
from qa_app.admin.models import AuditEvent
from qa_app.auth.models import Role
from qa_app.extensions import db
from qa_app.reviews.models import (
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationStatus,
    Notification,
)
from qa_app.reviews.suggestions import score_interaction, store_rubric
from tests.factories import make_agent, make_interaction, make_team, make_user
from tests.qa_app.conftest import csrf_token, login

TURNS = (
    ("agent", "Thank you for calling Northwind, this is Alex. This call may be recorded."),
    ("customer", "I was charged twice, my card is 4111 1111 1111 1111 and I'm frustrated."),
    ("agent", "I'm sorry about that. I have refunded the duplicate payment right now."),
    ("customer", "Great, thank you, that solves it."),
    ("agent", "Is there anything else I can help with? Have a good day."),
)


@dataclass
class World:
    reviewer: str
    reviewer2: str
    admin: str
    agent: str
    other_agent: str
    interaction: int
    other_interaction: int
    criteria: list[tuple[int, str, bool]]  # id, key, na_allowed


def build_world() -> World:
    """Two agents with sign-ins, staff, an active rubric and AI-scored calls. Call in a context."""
    rubric = store_rubric(scoring.default_rubric(), activate=True)
    team = make_team()
    mine, theirs = make_agent(team, name="Alex"), make_agent(team, name="Bea")
    agent, other = make_user(Role.AGENT, agent=mine), make_user(Role.AGENT, agent=theirs)
    reviewer, reviewer2 = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    admin = make_user(Role.ADMIN)
    interaction = make_interaction(mine, turns=TURNS)
    seg = interaction.transcript.segments[1]
    seg.redacted_text = seg.text.replace("4111 1111 1111 1111", "[CARD]")
    other_interaction = make_interaction(theirs, turns=TURNS[:2])
    score_interaction(interaction, rubric)
    score_interaction(other_interaction, rubric)
    db.session.commit()
    return World(
        reviewer=reviewer.email,
        reviewer2=reviewer2.email,
        admin=admin.email,
        agent=agent.email,
        other_agent=other.email,
        interaction=interaction.id,
        other_interaction=other_interaction.id,
        criteria=[(c.id, c.key, c.na_allowed) for c in rubric.criteria],
    )


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def sign_in_as(client: FlaskClient, email: str) -> None:
    """Sign out whoever is signed in on this client, then sign in as ``email``."""
    if client.get("/reviews/session").json["signed_in"]:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/reviews/notifications")})
    login(client, email)


def review_url(world: World) -> str:
    return f"/reviews/interactions/{world.interaction}"


def form_values(page: str) -> dict[str, str]:
    """The scorecard as the browser would send it (text inputs, checked boxes, textareas)."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\s*([^<]*)</textarea>', page):
        data[name] = text.strip()
    return data


def scored_form(client: FlaskClient, world: World, **changes: str) -> dict[str, str]:
    data = form_values(client.get(review_url(world)).get_data(as_text=True))
    for cid, _key, _na in world.criteria:  # every criterion scored, so the card can be submitted
        if not data.get(f"score_{cid}") and f"na_{cid}" not in data:
            data[f"score_{cid}"] = "80"
    data.update(changes)
    return data


def evaluation_of(app: Flask, world: World) -> Evaluation | None:
    with app.app_context():
        found = db.session.scalar(
            select(Evaluation).where(Evaluation.interaction_id == world.interaction)
        )
        if found is not None:
            _ = [(i.criterion.key, i.score) for i in found.items], found.disputes
        return found


def submit_as_reviewer(client: FlaskClient, world: World, **changes: str) -> Evaluation:
    sign_in_as(client, world.reviewer)
    response = client.post(
        review_url(world), data={**scored_form(client, world, **changes), "action": "submit"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/reviews/")})
    assert not client.get("/reviews/session").json["signed_in"]
    return evaluation_of(client.application, world)


# --- reviewer -------------------------------------------------------------------------------


def test_review_page_shows_redacted_transcript_and_the_ai_prefill(
    client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    page = client.get(review_url(world)).get_data(as_text=True)
    assert "[CARD]" in page and "4111" not in page
    assert 'class="turn turn-customer line"' in page and 'data-start="3.0"' in page
    assert "% sure" in page and "evidence-btn" in page
    values = form_values(page)
    with client.application.app_context():
        from qa_app.reviews.models import ScoreSuggestion

        suggestions = db.session.scalars(
            select(ScoreSuggestion).where(ScoreSuggestion.interaction_id == world.interaction)
        ).all()
        for s in suggestions:
            if s.score is not None:
                assert values[f"score_{s.criterion_id}"] == str(round(s.score * 100))
    assert values["version"] == ""  # nothing saved yet: opening a page creates no draft
    assert evaluation_of(client.application, world) is None


def test_agents_cannot_open_the_review_page(client: FlaskClient, world: World) -> None:
    sign_in_as(client, world.agent)
    assert client.get(review_url(world)).status_code == 403


def test_saving_changes_is_audited_with_before_and_after_and_keeps_the_ai_score(
    client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    (c1, key1, _), (c2, key2, _) = world.criteria[0], world.criteria[1]
    data = scored_form(client, world, **{f"score_{c1}": "10", f"score_{c2}": "20"})
    data[f"comment_{c1}"] = "Greeting missed the company name."
    data[f"moment_{c1}"] = "1.5"
    data["private_note"] = "Check again next week"
    response = client.post(review_url(world), data={**data, "action": "save"})
    assert response.status_code == 302
    evaluation = evaluation_of(client.application, world)
    assert evaluation.status is EvaluationStatus.DRAFT
    items = {i.criterion_id: i for i in evaluation.items}
    assert items[c1].score == pytest.approx(0.10) and items[c2].score == pytest.approx(0.20)
    assert items[c1].comment.startswith("Greeting") and items[c1].moment_s == 1.5
    assert items[c1].ai_score is not None or items[c2].ai_score is not None
    with client.application.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "evaluation.score", AuditEvent.entity_id == evaluation.id
            )
        ).all()
        changed = {e.after["criterion"]: (e.before, e.after) for e in events}
    assert changed[key1][1]["score"] == pytest.approx(0.10)
    assert changed[key1][0]["score"] == items[c1].ai_score  # "before" is the AI's prefill
    assert changed[key2][1]["score"] == pytest.approx(0.20)


def test_submit_sets_the_total_and_notifies_the_agent(client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world)
    assert evaluation.status is EvaluationStatus.SUBMITTED and evaluation.submitted_at
    assert evaluation.total is not None
    with client.application.app_context():
        notes = db.session.scalars(select(Notification)).all()
        assert [n.kind for n in notes] == ["evaluation.new"]
        assert notes[0].link == f"/reviews/evaluations/{evaluation.id}"
    sign_in_as(client, world.agent)
    assert 'Inbox<span class="count">1</span>' in client.get("/").get_data(as_text=True)
    inbox = client.get("/reviews/notifications").get_data(as_text=True)
    assert f"New evaluation of your call #{world.interaction}" in inbox
    client.post(
        "/reviews/notifications/read",
        data={"csrf_token": csrf_token(client, "/reviews/notifications")},
    )
    assert 'class="count"' not in client.get("/").get_data(as_text=True)


def test_submit_refuses_an_unscored_criterion_and_keeps_the_input(
    client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    cid = next(c for c, _k, na in world.criteria if not na)
    data = scored_form(client, world, **{f"score_{cid}": "", "comment": "Keep me please"})
    response = client.post(review_url(world), data={**data, "action": "submit"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Score it, or mark it N/A." in page and "Keep me please" in page
    assert evaluation_of(client.application, world) is None  # nothing half-saved


def test_na_is_refused_where_the_rubric_does_not_allow_it(
    client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    cid = next(c for c, _k, na in world.criteria if not na)
    data = scored_form(client, world, **{f"na_{cid}": "y"})
    response = client.post(review_url(world), data={**data, "action": "save"})
    assert response.status_code == 422
    assert "cannot be marked N/A" in response.get_data(as_text=True)


def test_second_save_from_a_stale_form_is_refused_and_the_input_stays(
    app: Flask, world: World
) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, world.reviewer)
    login(second, world.reviewer2)
    c1 = world.criteria[0][0]
    first_form = scored_form(first, world)
    second_form = scored_form(second, world)  # both opened the same (unsaved) card
    assert first.post(review_url(world), data={**first_form, "action": "save"}).status_code == 302
    version = evaluation_of(app, world).version
    second_form.update({f"score_{c1}": "5", "comment": "My careful overall comment"})
    response = second.post(review_url(world), data={**second_form, "action": "save"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone saved this evaluation after you opened it" in page
    assert "My careful overall comment" in page and 'value="5"' in page
    evaluation = evaluation_of(app, world)
    assert evaluation.version == version and evaluation.comment == ""

    # and again once both are on a saved version: the later writer loses, not silently wins
    stale = scored_form(second, world)
    assert (
        first.post(
            review_url(world),
            data={**scored_form(first, world), "action": "save", "comment": "first"},
        ).status_code
        == 302
    )
    assert second.post(review_url(world), data={**stale, "action": "save"}).status_code == 409
    assert evaluation_of(app, world).comment == "first"


def test_autosave_returns_the_new_version_and_reports_conflicts_as_json(
    client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    data = scored_form(client, world, comment="draft one")
    url = review_url(world) + "/autosave"
    response = client.post(url, data=data)
    assert response.status_code == 200 and response.json["ok"]
    version = response.json["version"]
    again = client.post(url, data={**data, "version": str(version), "comment": "draft two"})
    assert again.json["ok"] and again.json["version"] == version + 1
    stale = client.post(url, data={**data, "version": str(version), "comment": "lost?"})
    assert stale.status_code == 409 and stale.json["conflict"]
    assert evaluation_of(client.application, world).comment == "draft two"


def test_an_expired_session_saves_nothing_and_the_page_can_tell(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    data = scored_form(client, world, comment="typed before the session expired")
    client.delete_cookie("session")  # what an expired session looks like to the server
    assert client.get("/reviews/session").json == {"signed_in": False}
    response = client.post(review_url(world), data={**data, "action": "submit"})
    assert response.status_code in (302, 400)  # sign-in redirect or CSRF refusal: never a save
    assert evaluation_of(app, world) is None
    sign_in_as(client, world.reviewer)
    assert client.get("/reviews/session").json == {"signed_in": True}
    page = client.get(review_url(world)).get_data(as_text=True)
    assert 'data-backup-key="callqa-review-' in page and "review.js" in page


# --- agent ----------------------------------------------------------------------------------


def test_agent_sees_own_evaluation_without_private_notes(client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world, private_note="Borderline, ask Tess")
    sign_in_as(client, world.agent)
    assert f"/reviews/evaluations/{evaluation.id}" in client.get("/reviews/mine").get_data(
        as_text=True
    )
    page = client.get(f"/reviews/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "Acknowledge" in page and "Dispute a criterion" in page
    assert "Borderline" not in page and "Private note" not in page
    sign_in_as(client, world.reviewer)
    assert "Borderline, ask Tess" in client.get(f"/reviews/evaluations/{evaluation.id}").get_data(
        as_text=True
    )


def test_agent_cannot_reach_another_agents_evaluation_by_id(
    client: FlaskClient, world: World
) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.other_agent)
    url = f"/reviews/evaluations/{evaluation.id}"
    assert client.get(url).status_code == 404
    assert evaluation.id and "/reviews/evaluations/" not in client.get("/reviews/mine").get_data(
        as_text=True
    )
    token = csrf_token(client, "/reviews/mine")
    assert client.post(url + "/acknowledge", data={"csrf_token": token}).status_code == 404
    item_id = evaluation.items[0].id
    dispute = {"csrf_token": token, "item_id": item_id, "reason": "Not my call but I dispute"}
    assert client.post(url + "/dispute", data=dispute).status_code == 404
    assert client.get(f"/reviews/interactions/{world.interaction}/audio").status_code == 404
    assert evaluation_of(client.application, world).disputes == []


def test_agent_cannot_see_a_draft_of_their_own_call(client: FlaskClient, world: World) -> None:
    sign_in_as(client, world.reviewer)
    client.post(review_url(world), data={**scored_form(client, world), "action": "save"})
    evaluation = evaluation_of(client.application, world)
    sign_in_as(client, world.agent)
    assert client.get(f"/reviews/evaluations/{evaluation.id}").status_code == 404
    assert "/reviews/evaluations/" not in client.get("/reviews/mine").get_data(as_text=True)


def test_acknowledge(client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.agent)
    url = f"/reviews/evaluations/{evaluation.id}"
    client.post(url + "/acknowledge", data={"csrf_token": csrf_token(client, url)})
    after = evaluation_of(client.application, world)
    assert after.status is EvaluationStatus.ACKNOWLEDGED and after.acknowledged_at


def _dispute(client: FlaskClient, evaluation: Evaluation, item_index: int = 0) -> str:
    url = f"/reviews/evaluations/{evaluation.id}"
    items = sorted(evaluation.items, key=lambda i: i.criterion.position)
    response = client.post(
        url + "/dispute",
        data={
            "csrf_token": csrf_token(client, url),
            "item_id": items[item_index].id,
            "reason": "I did say the company name at 0:01, please listen again.",
        },
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def test_dispute_then_reviewer_accepts_and_the_agent_sees_the_new_score(
    app: Flask, client: FlaskClient, world: World
) -> None:
    c1 = world.criteria[0][0]
    evaluation = submit_as_reviewer(client, world, **{f"score_{c1}": "10"})
    sign_in_as(client, world.agent)
    page = _dispute(client, evaluation)
    assert "Dispute sent" in page
    disputed = evaluation_of(app, world)
    assert disputed.status is EvaluationStatus.DISPUTED and len(disputed.disputes) == 1
    dispute_id = disputed.disputes[0].id

    sign_in_as(client, world.reviewer)
    assert "please listen again" in client.get("/reviews/").get_data(as_text=True)
    url = f"/reviews/evaluations/{evaluation.id}"
    client.post(
        f"/reviews/disputes/{dispute_id}/resolve",
        data={
            "csrf_token": csrf_token(client, url),
            "decision": "accept",
            "new_score": "90",
            "note": "You did, sorry.",
        },
    )
    resolved = evaluation_of(app, world)
    assert resolved.status is EvaluationStatus.RESOLVED
    item = next(i for i in resolved.items if i.criterion_id == c1)
    assert item.score == pytest.approx(0.9) and resolved.total > evaluation.total
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).status is DisputeStatus.ACCEPTED
        rescore = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "evaluation.score")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert rescore.before["score"] == pytest.approx(0.1)
        assert rescore.after["score"] == pytest.approx(0.9)
        kinds = [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))]
        assert kinds == ["evaluation.new", "dispute.raised", "dispute.decided"]

    sign_in_as(client, world.agent)
    page = client.get(url).get_data(as_text=True)
    assert "accepted" in page and "You did, sorry." in page and ">90<" in page


def test_declining_needs_a_reason(app: Flask, client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.agent)
    _dispute(client, evaluation)
    dispute_id = evaluation_of(app, world).disputes[0].id
    sign_in_as(client, world.admin)
    url = f"/reviews/evaluations/{evaluation.id}"
    resolve = f"/reviews/disputes/{dispute_id}/resolve"
    token = csrf_token(client, url)
    page = client.post(
        resolve,
        data={"csrf_token": token, "decision": "decline", "note": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Say why the dispute is declined." in page
    assert evaluation_of(app, world).disputes[0].status is DisputeStatus.OPEN
    client.post(
        resolve,
        data={
            "csrf_token": token,
            "decision": "decline",
            "note": "The greeting lacked the company name.",
        },
    )
    after = evaluation_of(app, world)
    assert after.disputes[0].status is DisputeStatus.DECLINED
    assert after.status is EvaluationStatus.RESOLVED


def test_agents_cannot_resolve_disputes(client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.agent)
    _dispute(client, evaluation)
    dispute_id = evaluation_of(client.application, world).disputes[0].id
    token = csrf_token(client, "/reviews/mine")
    response = client.post(
        f"/reviews/disputes/{dispute_id}/resolve",
        data={"csrf_token": token, "decision": "accept", "new_score": "100"},
    )
    assert response.status_code == 403


def test_dispute_outside_the_window_is_refused(
    app: Flask, client: FlaskClient, world: World
) -> None:
    evaluation = submit_as_reviewer(client, world)
    with app.app_context():
        stored = db.session.get(Evaluation, evaluation.id)
        days = app.config["DISPUTE_WINDOW_DAYS"]
        stored.submitted_at = stored.submitted_at - timedelta(days=days, minutes=1)
        db.session.commit()
    sign_in_as(client, world.agent)
    assert "dispute window closed" in client.get(f"/reviews/evaluations/{evaluation.id}").get_data(
        as_text=True
    )
    page = _dispute(client, evaluation)
    assert f"The dispute window of {days} days for this evaluation has closed." in page
    assert evaluation_of(app, world).disputes == []
    assert evaluation_of(app, world).status is EvaluationStatus.SUBMITTED


def test_at_most_n_disputes_per_evaluation(app: Flask, client: FlaskClient, world: World) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.agent)
    app.config["MAX_DISPUTES_PER_EVALUATION"] = 1
    try:
        assert "Dispute sent" in _dispute(client, evaluation, 0)
        page = _dispute(client, evaluation, 1)
    finally:
        app.config.pop("MAX_DISPUTES_PER_EVALUATION")
    assert len(evaluation_of(app, world).disputes) == 1
    assert "You used the 1 disputes allowed" in page or "At most 1 disputes" in page


def test_submitted_evaluations_cannot_be_edited_from_the_review_page(
    client: FlaskClient, world: World
) -> None:
    evaluation = submit_as_reviewer(client, world)
    sign_in_as(client, world.reviewer)
    response = client.get(review_url(world))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reviews/evaluations/{evaluation.id}")


def test_unredacted_text_only_for_admins_and_every_view_is_audited(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in_as(client, world.reviewer)
    page = client.get(review_url(world) + "?unredacted=1").get_data(as_text=True)
    assert "4111" not in page and "show original" not in page
    sign_in_as(client, world.admin)
    assert "show original" in client.get(review_url(world)).get_data(as_text=True)
    page = client.get(review_url(world) + "?unredacted=1").get_data(as_text=True)
    assert "4111 1111 1111 1111" in page and "unredacted (logged)" in page
    with app.app_context():
        views = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "transcript.view_unredacted")
        ).all()
        assert [(v.entity_type, v.entity_id) for v in views] == [("Interaction", world.interaction)]
