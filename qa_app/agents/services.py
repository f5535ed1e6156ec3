from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from qa_app.agents.models import Agent, Team
from qa_app.calls.models import Interaction
from qa_app.extensions import db


def teams_with_agents() -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .options(selectinload(Team.agents).selectinload(Agent.user))
            .order_by(Team.name)
        )
    )


def agents_without_team() -> list[Agent]:
    return list(
        db.session.scalars(select(Agent).where(Agent.team_id.is_(None)).order_by(Agent.name))
    )


def interaction_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(Interaction.agent_id, func.count()).group_by(Interaction.agent_id)
    )
    return {agent_id: count for agent_id, count in rows if agent_id is not None}


def get_agent(agent_id: int) -> Agent | None:
    return db.session.get(Agent, agent_id)
