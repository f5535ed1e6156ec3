from __future__ import annotations

from flask import abort, render_template, request

from qa_app.agents import bp
from qa_app.agents.services import (
    agents_without_team,
    get_agent,
    interaction_counts,
    teams_with_agents,
)
from qa_app.calls.services import recent_interactions_of_agent
from qa_app.permissions import ensure, requires


@bp.route("/")
@requires("can_coach")
def index() -> str:
    return render_template(
        "agents/index.html",
        teams=teams_with_agents(),
        loose=agents_without_team(),
        counts=interaction_counts(),
    )


@bp.route("/<int:agent_id>")
@requires("can_view_agent")
def detail(agent_id: int) -> str:
    agent = get_agent(agent_id) or abort(404)
    ensure("can_view_agent", agent)
    tag = (request.args.get("tag") or "").strip()[:80] or None
    return render_template(
        "agents/detail.html",
        agent=agent,
        interactions=recent_interactions_of_agent(agent.id, limit=25 if tag else 10, tag=tag),
        tag=tag,
    )
