"""The hourly rollup: counts match the source, parents count an interaction once, refresh is
incremental and idempotent, and reads respect the scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from qa_app.analytics import rollup
from qa_app.analytics.models import HourlyCount, RollupState
from qa_app.auth.models import Role
from qa_app.calls.models import Channel
from qa_app.extensions import db
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment, Taxonomy
from qa_app.timeutil import utcnow
from tests.factories import make_agent, make_interaction

H9 = datetime(2026, 3, 2, 9, 0)


def _tag(interaction_id: int, tag: Tag, state: AssignmentState = AssignmentState.SUGGESTED) -> None:
    db.session.add(
        TagAssignment(
            tag_id=tag.id, taxonomy_id=tag.taxonomy_id, interaction_id=interaction_id, state=state
        )
    )


@pytest.fixture
def floor(app: Flask) -> dict:
    """Five calls at 09:xx and 10:xx; billing > {invoice, refund}; one call has both children."""
    with app.app_context():
        alice, bob = make_agent(name="Alice"), make_agent(name="Bob")
        taxonomy = Taxonomy(name="t", version="1", kinds=["complaint"])
        billing = Tag(key="billing", name="Billing", kind="complaint", taxonomy=taxonomy)
        invoice = Tag(key="invoice", name="Invoice", kind="complaint", taxonomy=taxonomy,
                      parent=billing)  # fmt: skip
        refund = Tag(key="refund", name="Refund", kind="complaint", taxonomy=taxonomy,
                     parent=billing)  # fmt: skip
        db.session.add_all([taxonomy, billing, invoice, refund])
        db.session.flush()
        calls = []
        plan = [(5, alice, "negative"), (20, alice, "positive"), (40, bob, "negative"),
                (70, bob, None), (75, alice, "neutral")]  # fmt: skip
        for minute, agent, mood in plan:
            call = make_interaction(agent, started_at=H9 + timedelta(minutes=minute))
            call.mood_label, call.mood_score = mood, {"negative": -0.6, "positive": 0.5}.get(mood)
            call.queue = "billing" if minute < 60 else None
            calls.append(call)
        calls[4].channel = Channel.CHAT
        _tag(calls[0].id, invoice)
        _tag(calls[0].id, refund)  # both children: billing counts it once
        _tag(calls[1].id, refund)
        _tag(calls[2].id, invoice, AssignmentState.REJECTED)  # rejected: not counted
        _tag(calls[3].id, billing)
        db.session.flush()
        rollup.rebuild()
        db.session.commit()
        return {
            "calls": [c.id for c in calls],
            "alice": alice.id,
            "bob": bob.id,
            "tags": {"billing": billing.id, "invoice": invoice.id, "refund": refund.id},
            "taxonomy": taxonomy.id,
        }


def _sum(scope: rollup.Scope) -> dict[int, tuple]:
    return rollup.totals_by_tag(scope)


def _scope(**kw: object) -> rollup.Scope:
    return rollup.Scope(start=H9 - timedelta(hours=1), end=H9 + timedelta(hours=3), **kw)  # type: ignore[arg-type]


def test_counts_and_mood_match_the_source(app: Flask, floor: dict) -> None:
    with app.app_context():
        rows = rollup.hourly(_scope())
    assert [(r[0], r[1]) for r in rows] == [(H9, 3), (H9 + timedelta(hours=1), 2)]
    nine = rows[0]
    assert nine[2:5] == (2, 0, 1)  # negative, neutral, positive
    assert nine[5] == pytest.approx(-0.7)  # -0.6 - 0.6 + 0.5


def test_tag_nodes_count_distinct_interactions_and_skip_rejected(app: Flask, floor: dict) -> None:
    t = floor["tags"]
    with app.app_context():
        totals = _sum(_scope(tag_ids=(t["billing"], t["invoice"], t["refund"])))
    assert totals[t["invoice"]][0] == 1  # the rejected one is out
    assert totals[t["refund"]][0] == 2
    assert totals[t["billing"]][0] == 3  # calls 0 (two children, once), 1 and 3
    assert totals[t["billing"]][1] == 1  # one of them negative


def test_scope_filters_channel_and_queue(app: Flask, floor: dict) -> None:
    with app.app_context():
        assert _sum(_scope(channel="chat"))[0][0] == 1
        assert _sum(_scope(queue="billing"))[0][0] == 3
        assert _sum(_scope(queue="billing", channel="chat")) == {}


def test_refresh_changed_recounts_only_touched_hours_and_is_idempotent(
    app: Flask, floor: dict
) -> None:
    with app.app_context():
        before = db.session.scalar(select(func.count(HourlyCount.id)))
        mark = datetime(2030, 1, 1)
        call = make_interaction(None, started_at=H9 + timedelta(minutes=50))
        call.created_at = call.updated_at = mark
        db.session.flush()
        assert rollup.changed_hours(mark) == {H9}
        assert rollup.refresh_changed(mark) == 1
        assert rollup.refresh_changed(mark) == 1  # again: same counts, no duplicates
        rows = rollup.hourly(_scope())
        assert rows[0][1] == 4 and rows[1][1] == 2
        after = db.session.scalar(select(func.count(HourlyCount.id)))
        assert after == before + 1  # one new (hour, channel, queue) combination: no queue


def test_a_tag_decision_refreshes_its_hour(app: Flask, floor: dict) -> None:
    t = floor["tags"]
    with app.app_context():
        mark = datetime(2030, 1, 1)
        assignment = db.session.scalar(
            select(TagAssignment).where(TagAssignment.interaction_id == floor["calls"][1])
        )
        assignment.state, assignment.decided_at = AssignmentState.REJECTED, mark
        db.session.flush()
        rollup.refresh_changed(mark)
        totals = _sum(_scope(tag_ids=(t["refund"], t["billing"])))
    assert totals[t["refund"]][0] == 1 and totals[t["billing"]][0] == 2


def test_queues_lists_each_queue_once_sorted(app: Flask, floor: dict) -> None:
    with app.app_context():
        assert rollup.queues() == ["billing"]  # calls without a queue are left out
        make_interaction(None, started_at=H9).queue = "app"
        db.session.flush()
        rollup.rebuild()
        assert rollup.queues() == ["app", "billing"]


def test_ranges_merge_contiguous_hours() -> None:
    hours = [H9, H9 + timedelta(hours=1), H9 + timedelta(hours=5)]
    assert rollup._ranges(hours) == [
        (H9, H9 + timedelta(hours=2)),
        (H9 + timedelta(hours=5), H9 + timedelta(hours=6)),
    ]


def test_exact_only_for_whole_hour_offsets() -> None:
    start, end = datetime(2026, 1, 1), datetime(2026, 12, 31)
    assert rollup.exact_for(ZoneInfo("Europe/Berlin"), start, end)  # DST, still whole hours
    assert not rollup.exact_for(ZoneInfo("Asia/Kolkata"), start, end)


def test_local_cells_match_bucketing_the_raw_times(app: Flask, floor: dict) -> None:
    tz = ZoneInfo("America/New_York")
    with app.app_context():
        cells = rollup.local_cells(H9 - timedelta(hours=1), H9 + timedelta(hours=3), tz)
        heat = rollup.local_cells(
            H9 - timedelta(hours=1), H9 + timedelta(hours=3), tz,
            heat_tag=floor["tags"]["billing"],
        )  # fmt: skip
    day = (datetime(2026, 3, 2) - datetime(1970, 1, 1)).days
    # 09:xx UTC is 04:xx in New York (EST, UTC-5) on 2 March
    assert cells == [(day, 4, 3, 2, 3, 0), (day, 5, 2, 0, 1, 0)]
    assert [c[5] for c in heat] == [2, 1]  # calls 0 and 1 at 09:xx, call 3 at 10:xx


def test_refresh_builds_once_then_goes_incremental_and_marks_fresh(app: Flask) -> None:
    with app.app_context():
        call = make_interaction(None, started_at=H9)
        call.created_at = call.updated_at = H9  # changed long before the refresh
        db.session.flush()
        assert not rollup.is_fresh()
        assert rollup.refresh() == -1  # first time: a rebuild
        assert rollup.is_fresh()
        assert rollup.refresh() == 0  # nothing changed since
        assert not rollup.is_fresh(now=utcnow() + rollup.MAX_LAG * 2)
        berlin = ZoneInfo("Europe/Berlin")
        assert rollup.usable(False, None, None, berlin, H9, H9 + timedelta(days=1))
        assert not rollup.usable(True, None, None, berlin, H9, H9 + timedelta(days=1))
        assert not rollup.usable(False, 3, None, berlin, H9, H9 + timedelta(days=1))
        assert not rollup.usable(False, None, None, ZoneInfo("Asia/Kolkata"), H9, H9)


def test_cli_refreshes_the_rollup(app: Flask) -> None:
    with app.app_context():
        make_interaction(None, started_at=H9)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["analytics", "rollup"])
    assert result.exit_code == 0, result.output
    assert "all hours recounted" in result.output
    with app.app_context():
        assert rollup.hourly(_scope())[0][1] == 1


def test_node_and_day_counts_for_the_topics_page(app: Flask, floor: dict) -> None:
    t = floor["tags"]
    nodes = [t["billing"], t["refund"]]
    start, end = H9 - timedelta(hours=1), H9 + timedelta(hours=3)
    with app.app_context():
        total, counts = rollup.node_counts(start, end, nodes)
        chat_total, chat_counts = rollup.node_counts(start, end, nodes, channel="chat")
        totals, per = rollup.day_counts(start, end, ZoneInfo("Pacific/Auckland"), nodes)
    assert total == 5 and counts == {t["billing"]: 3, t["refund"]: 2}
    assert chat_total == 1 and chat_counts == {}
    # 09:00 UTC on 2 March is 22:00 that day in Auckland (UTC+13); 10:xx is 23:xx
    day = (datetime(2026, 3, 2) - datetime(1970, 1, 1)).days
    assert totals == {day: 5}
    assert per == {t["billing"]: {day: 3}, t["refund"]: {day: 2}}


# --- the pages read the rollup when it is fresh, with the same figures --------------------------


@pytest.fixture
def spread(app: Flask) -> dict:
    """Two weeks of calls across DST-free hours in Berlin, tagged and with mood."""
    from tests.factories import make_user

    with app.app_context():
        agent = make_agent(name="Carol")
        taxonomy = Taxonomy(name="s", version="1", kinds=["enquiry"], status="published")
        parent = Tag(key="billing", name="Billing", kind="enquiry", taxonomy=taxonomy)
        child = Tag(key="refund", name="Refund", kind="enquiry", taxonomy=taxonomy, parent=parent)
        other = Tag(key="tech", name="Tech", kind="enquiry", taxonomy=taxonomy)
        db.session.add_all([taxonomy, parent, child, other])
        db.session.flush()
        now = datetime.now().replace(minute=0, second=0, microsecond=0)
        for n in range(60):
            call = make_interaction(agent, started_at=now - timedelta(hours=7 * n + 3))
            call.mood_label = ("negative", "neutral", "positive", None)[n % 4]
            call.channel = Channel.CHAT if n % 5 == 0 else Channel.VOICE
            call.mood_trajectory = ("better", "same", "worse", None, "same")[n % 5]
            call.ai_total = None if n % 7 == 0 else 40.0 + n
            _tag(call.id, (child, parent, other)[n % 3])
            if n % 6 == 0:
                _tag(call.id, other)
        analyst = make_user(Role.ANALYST)
        db.session.commit()
        return {"analyst": analyst.id, "tags": [parent.id, child.id, other.id]}


def _pages(user, f, heat_tag):  # type: ignore[no-untyped-def]
    from qa_app.analytics import services

    act = services.activity(user, f, metric="tag", heat_tag_id=heat_tag)
    neg = services.activity(user, f, metric="negative")
    top = services.topics(user, f)
    mood = services.mood(user, f)
    concerns = sorted(
        (c.tag.id, c.count, c.labelled, c.negative, c.ai_n, round(c.ai_mean or 0, 6))
        for c in mood.concerns
    )
    return (
        act.heatmap, [(d.day, d.count) for d in act.days], act.heat_share, neg.heat_share,
        top.total, [(r.tag.id, r.count, r.prev_count) for g in top.groups for r in g.rows],
        top.bucket_totals, mood.distribution, mood.unlabelled, mood.trajectories,
        [s.counts for s in mood.trend], concerns, round(mood.overall_ai or 0, 6),
    )  # fmt: skip


def test_activity_and_topics_read_the_rollup_with_identical_figures(
    app: Flask, spread: dict
) -> None:
    from qa_app.analytics.services import Filters
    from qa_app.auth.models import User

    with app.app_context():
        user = db.session.get(User, spread["analyst"])
        today = datetime.now().date()
        for f in (
            Filters(today - timedelta(days=20), today, "Europe/Berlin"),
            Filters(today - timedelta(days=9), today, "America/New_York", channel="voice"),
        ):
            raw = _pages(user, f, spread["tags"][0])
            rollup.refresh()
            assert rollup.is_fresh()
            assert _pages(user, f, spread["tags"][0]) == raw
            db.session.delete(db.session.get(RollupState, 1))
            db.session.flush()


def test_the_job_sweep_refreshes_a_built_rollup_when_due(app: Flask) -> None:
    from qa_app.tasks import refresh_analytics_rollup

    with app.app_context():
        make_interaction(None, started_at=H9)
        db.session.flush()
        assert not rollup.refresh_if_due()  # never built: the sweep leaves it alone
        refresh_analytics_rollup()
        assert db.session.get(RollupState, 1) is None
        rollup.rebuild()
        state = db.session.get(RollupState, 1)
        assert not rollup.refresh_if_due()  # just built
        state.refreshed_at -= rollup.REFRESH_EVERY * 2
        make_interaction(None, started_at=H9 + timedelta(minutes=5))
        db.session.flush()
        refresh_analytics_rollup()
        assert state.refreshed_at > utcnow() - timedelta(minutes=1)
        assert rollup.hourly(_scope())[0][1] == 2
