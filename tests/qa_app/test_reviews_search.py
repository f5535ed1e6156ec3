"""The review list (filters, transcript search) and the audio route (ranges, access)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

import scoring
from qa_app.auth.models import Role
from qa_app.calls.models import Channel, Recording
from qa_app.extensions import db
from qa_app.reviews.demo_data import synth_wav
from qa_app.reviews.models import ScoreSuggestion
from qa_app.reviews.search import InteractionFilters
from qa_app.reviews.suggestions import store_rubric
from qa_app.storage import store_stream
from qa_app.tagging.models import Tag, TagAssignment, Taxonomy
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction, make_team, make_user
from tests.qa_app.conftest import login


@pytest.fixture
def calls(app: Flask) -> dict[str, int | str]:
    with app.app_context():
        billing, tech = make_team("Billing"), make_team("Tech")
        alex, bea = make_agent(billing, "Alex"), make_agent(tech, "Bea")
        now = utcnow()
        refund = make_interaction(
            alex,
            started_at=now - timedelta(days=1),
            turns=(("agent", "Hello"), ("customer", "I want a refund for the double charge")),
        )
        router = make_interaction(
            bea,
            started_at=now - timedelta(days=10),
            turns=(("agent", "Hi"), ("customer", "My router keeps dropping, 100% broken")),
        )
        chat = make_interaction(alex, started_at=now, turns=(("customer", "refund status?"),))
        refund.ai_total, router.ai_total, chat.ai_total = 85.0, 30.0, 60.0
        router.ai_auto_fail = True
        chat.channel = Channel.CHAT
        secret = router.transcript.segments[1]
        secret.text = "Router dropping, 100% broken, call me at 555 0101"
        secret.redacted_text = "Router dropping, 100% broken, call me at [PHONE]"
        reviewer = make_user(Role.REVIEWER)
        agent_user = make_user(Role.AGENT, agent=bea)
        data = synth_wav([], 2.0)
        stored = store_stream(app.config["STORAGE_DIR"], io.BytesIO(data), ".wav")
        router.recording = Recording(
            sha256=stored.sha256, storage_key=stored.storage_key, format="wav", bytes=stored.bytes
        )
        db.session.commit()
        return {
            "reviewer": reviewer.email,
            "agent": agent_user.email,
            "refund": refund.id,
            "router": router.id,
            "chat": chat.id,
            "alex": alex.id,
            "tech": tech.id,
            "size": len(data),
        }


def _ids(client: FlaskClient, query: str) -> set[int]:
    page = client.get(f"/reviews/interactions?{query}").get_data(as_text=True)
    import re

    return {int(n) for n in re.findall(r'href="/reviews/interactions/(\d+)">#', page)}


def test_filters_narrow_the_list(client: FlaskClient, calls: dict) -> None:
    login(client, calls["reviewer"])
    everything = {calls["refund"], calls["router"], calls["chat"]}
    assert _ids(client, "") == everything
    assert _ids(client, f"agent={calls['alex']}") == {calls["refund"], calls["chat"]}
    assert _ids(client, f"team={calls['tech']}") == {calls["router"]}
    assert _ids(client, "channel=chat") == {calls["chat"]}
    assert _ids(client, "ai_min=50&ai_max=90") == {calls["refund"], calls["chat"]}
    assert _ids(client, "auto_fail=yes") == {calls["router"]}
    since = (utcnow() - timedelta(days=3)).date().isoformat()
    assert _ids(client, f"from={since}") == {calls["refund"], calls["chat"]}
    assert _ids(client, "reviewed=no") == everything
    assert _ids(client, "reviewed=yes") == set()
    assert _ids(client, "agent=abc&from=not-a-date") == everything  # junk is ignored


def test_search_matches_every_word_of_the_redacted_transcript(
    client: FlaskClient, calls: dict
) -> None:
    login(client, calls["reviewer"])
    assert _ids(client, "q=refund") == {calls["refund"], calls["chat"]}
    assert _ids(client, "q=refund+double") == {calls["refund"]}
    assert _ids(client, "q=100%25") == {calls["router"]}
    assert _ids(client, "q=%25") == {calls["router"]}  # % is a literal, not a wildcard
    assert _ids(client, "q=555") == set()  # redacted away: search cannot reveal it
    assert _ids(client, "q=%5BPHONE%5D") == {calls["router"]}


def test_sort_by_ai_total(client: FlaskClient, calls: dict) -> None:
    login(client, calls["reviewer"])
    page = client.get("/reviews/interactions?sort=ai_low").get_data(as_text=True)
    order = [page.index(f'/reviews/interactions/{calls[k]}"') for k in ("router", "chat", "refund")]
    assert order == sorted(order)


def test_filters_round_trip_through_query_args() -> None:
    args = {"agent": "3", "from": "2026-01-02", "q": "refund", "sort": "ai_low", "junk": "x"}
    filters = InteractionFilters.from_args(args)
    assert filters.as_args() == {"agent": 3, "from": "2026-01-02", "q": "refund", "sort": "ai_low"}
    assert InteractionFilters.from_args(filters.as_args()) == filters


def test_audio_supports_range_requests(client: FlaskClient, calls: dict) -> None:
    login(client, calls["reviewer"])
    url = f"/reviews/interactions/{calls['router']}/audio"
    with client.get(url) as full, client.get(url, headers={"Range": "bytes=100-199"}) as part:
        assert full.status_code == 200 and full.mimetype in {"audio/x-wav", "audio/wav"}
        assert full.headers["Accept-Ranges"] == "bytes" and len(full.data) == calls["size"]
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 100-199/{calls['size']}"
        assert part.data == full.data[100:200]


def test_audio_only_for_users_who_may_see_the_call(
    app: Flask, client: FlaskClient, calls: dict
) -> None:
    login(client, calls["agent"])  # Bea: the router call is hers
    with client.get(f"/reviews/interactions/{calls['router']}/audio") as response:
        assert response.status_code == 200
    assert client.get(f"/reviews/interactions/{calls['refund']}/audio").status_code == 404
    assert client.get("/reviews/interactions").status_code == 403
    other = app.test_client()
    assert other.get(f"/reviews/interactions/{calls['router']}/audio").status_code == 302


def test_analysts_read_redacted_text_but_never_hear_the_recording(
    app: Flask, client: FlaskClient, calls: dict
) -> None:
    with app.app_context():
        analyst = make_user(Role.ANALYST)
        db.session.commit()
        login(client, analyst.email)
    assert client.get(f"/calls/{calls['router']}").status_code == 200
    assert client.get(f"/reviews/interactions/{calls['router']}/audio").status_code == 403


def test_no_recording_is_a_404(client: FlaskClient, calls: dict) -> None:
    login(client, calls["reviewer"])
    assert client.get(f"/reviews/interactions/{calls['refund']}/audio").status_code == 404


def test_criterion_below_and_tag_filters(app: Flask, client: FlaskClient, calls: dict) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        criterion = rubric.criteria[0]
        for key, score in (("refund", 0.3), ("router", 0.9)):
            db.session.add(
                ScoreSuggestion(interaction_id=calls[key], criterion_id=criterion.id, score=score)
            )
        taxonomy = Taxonomy(name="Topics", version="1")
        billing = Tag(taxonomy=taxonomy, key="billing", name="Billing", kind="topic")
        db.session.add_all(
            [
                TagAssignment(tag=billing, interaction_id=calls["refund"]),
                TagAssignment(tag=billing, interaction_id=calls["chat"], state="rejected"),
            ]
        )
        db.session.commit()
        key = criterion.key
    login(client, calls["reviewer"])
    assert _ids(client, f"criterion={key}&criterion_below=50") == {calls["refund"]}
    assert _ids(client, f"criterion={key}&criterion_below=95") == {calls["refund"], calls["router"]}
    assert _ids(client, "tag=billing") == {calls["refund"]}  # a rejected tag does not count
