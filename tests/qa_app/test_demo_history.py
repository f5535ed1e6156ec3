"""Demo chats are scored believably: untimed text (no first-minute disclosure), agents' own
opening and closing habits; social posts get no rubric score; the shared history cache gives
exactly what the per-call query gives."""

from __future__ import annotations

import statistics

import pytest
from flask import Flask
from sqlalchemy import select

import scoring
from qa_app.calls.models import Channel, Interaction
from qa_app.demo_history import PREFIX, ensure_chat_history
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, ScoreSuggestion
from qa_app.reviews.suggestions import (
    HistoryCache,
    _history,
    score_interaction,
    store_rubric,
)
from tests.factories import make_agent, make_interaction


@pytest.fixture
def chats(app: Flask) -> dict:
    with app.app_context():
        agents = [make_agent(name="Alex Morgan"), make_agent(name="Bea Lindqvist")]
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        added = ensure_chat_history(agents, rubric)
        db.session.commit()
        return {"added": added, "rubric": rubric.id}


def _chats() -> list[Interaction]:
    query = select(Interaction).where(Interaction.external_id.like(f"{PREFIX}%"))
    return list(db.session.scalars(query))


def test_demo_chat_totals_vary_and_disclosure_does_not_apply(app: Flask, chats: dict) -> None:
    with app.app_context():
        totals = [c.ai_total for c in _chats()]
        assert len(totals) == chats["added"] > 200
        assert not any(c.ai_auto_fail for c in _chats())
        assert sum(t == 0 for t in totals) == 0
        assert statistics.pstdev(totals) > 8 and max(totals) - min(totals) > 30
        labels = db.session.scalars(
            select(ScoreSuggestion.label)
            .join(Criterion, ScoreSuggestion.criterion_id == Criterion.id)
            .where(Criterion.key == "disclosure")
        ).all()
        assert set(labels) == {"not applicable to text channels"}
        greetings = set(
            db.session.scalars(
                select(ScoreSuggestion.label)
                .join(Criterion, ScoreSuggestion.criterion_id == Criterion.id)
                .where(Criterion.key == "greeting")
            )
        )
        assert {"greeted", "partial greeting", "no greeting"} <= greetings


def test_voice_calls_keep_their_timed_disclosure(app: Flask) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        call = make_interaction(make_agent(), turns=(("agent", "Hello, how can I help?"),))
        sheet = score_interaction(call, rubric)
        assert sheet.criteria["disclosure"].label == "not disclosed"
        assert sheet.auto_fail and call.ai_total == 0.0


@pytest.mark.parametrize("channel", [Channel.SOCIAL, Channel.CHAT])
def test_posts_and_agentless_texts_get_no_rubric_score(app: Flask, channel: Channel) -> None:
    with app.app_context():
        rubric = store_rubric(scoring.default_rubric(), activate=True)
        post = make_interaction(None, turns=(("agent", "Hi, how can I help?"),))
        post.channel = channel
        with pytest.raises(scoring.InputError, match="no agent to evaluate"):
            score_interaction(post, rubric)
        assert post.ai_total is None and post.scored_rubric_id is None
        social_with_agent = make_interaction(make_agent())
        social_with_agent.channel = Channel.SOCIAL
        with pytest.raises(scoring.InputError):
            score_interaction(social_with_agent, rubric)


def test_history_cache_returns_what_the_query_returns(app: Flask, chats: dict) -> None:
    with app.app_context():
        cache = HistoryCache()
        every = _chats()
        extra = make_interaction(every[0].agent, started_at=every[-1].started_at)  # a voice call
        for interaction in [*every[::7], extra]:
            queried = [h.interaction_id for h in _history(interaction)]
            cached = [h.interaction_id for h in cache.history(interaction)]
            assert cached == queried
            assert len(queried) <= 50
        assert any(len(_history(i)) == 50 for i in every)  # the limit is exercised
