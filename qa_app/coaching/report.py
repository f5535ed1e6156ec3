"""Did coaching work? Per module and team: scores before assignment against scores after
completion, with the library's interval; per agent: weak criterion -> module -> scores after.

Chart geometry is computed here (plain numbers, percentages of the plot) so templates only
draw; inline SVG, no script.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

import training
from qa_app.agents.models import Agent
from qa_app.coaching.content import library_module
from qa_app.coaching.models import Assignment, AssignmentStatus, CoachingModule
from qa_app.coaching.services import (
    REPORT_MIN_EVALUATIONS,
    WINDOW_N,
    library_assignments,
    score_history,
)
from qa_app.extensions import db


@dataclass(frozen=True)
class EffectRow:
    module: CoachingModule
    team: str  # "All teams" or a team name
    completed: int
    effect: training.Effect


@dataclass(frozen=True)
class ForestRow:
    label: str
    note: str
    x: float | None  # percent of the plot width
    low: float | None
    high: float | None
    positive: bool


def _completed() -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.status == AssignmentStatus.COMPLETED)
            .options(
                joinedload(Assignment.module), joinedload(Assignment.agent).joinedload(Agent.team)
            )
        ).unique()
    )


def effectiveness(team_id: int | None = None) -> list[EffectRow]:
    """One row per module over all teams, then per module and team."""
    done = [a for a in _completed() if not team_id or a.agent.team_id == team_id]
    if not done:
        return []
    history = score_history({a.agent_id for a in done})
    rows: list[EffectRow] = []
    by_module: dict[int, list[Assignment]] = defaultdict(list)
    for a in done:
        by_module[a.module_id].append(a)
    for assignments in sorted(by_module.values(), key=lambda group: group[0].module.title):
        module = assignments[0].module
        spec = library_module(module)
        groups: list[tuple[str, list[Assignment]]] = [("All teams", assignments)]
        teams: dict[str, list[Assignment]] = defaultdict(list)
        for a in assignments:
            teams[a.agent.team.name if a.agent.team else "No team"].append(a)
        if len(teams) > 1 or team_id:
            groups += sorted(teams.items())
        for label, group in groups:
            if team_id and label == "All teams":
                continue
            result = training.module_effect(
                spec,
                history,
                library_assignments(group),
                n=WINDOW_N,
                min_evaluations=REPORT_MIN_EVALUATIONS,
            )
            rows.append(EffectRow(module, label, len(group), result))
    return rows


def forest_span(rows: Iterable[EffectRow]) -> float:
    """Half the width of the shared axis: the widest interval bound, at least 0.25."""
    bounds = [abs(v) for r in rows for v in (r.effect.overall.low, r.effect.overall.high) if v]
    return round(max([0.25, *bounds]), 2)


def forest(rows: Iterable[EffectRow]) -> list[ForestRow]:
    """Point and interval of each row's overall change on a shared axis from -span to +span."""
    rows = list(rows)
    span = forest_span(rows)

    def pos(value: float) -> float:
        return round(50 + 50 * value / span, 2)

    result = []
    for r in rows:
        o = r.effect.overall
        label = f"{r.module.title} · {r.team}"
        if o.change is None or o.low is None or o.high is None:
            result.append(ForestRow(label, o.note, None, None, None, False))
        else:
            result.append(
                ForestRow(label, o.note, pos(o.change), pos(o.low), pos(o.high), o.low > 0)
            )
    return result


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    at: datetime
    score: float
    source: str


@dataclass(frozen=True)
class LoopCriterion:
    criterion: str
    effect: training.CriterionEffect
    points: list[Point]


@dataclass(frozen=True)
class Loop:
    assignment: Assignment
    criteria: list[LoopCriterion]
    assigned_x: float | None
    completed_x: float | None


def _scores_of_record(
    history: Iterable[training.Observation], criterion: str
) -> list[tuple[datetime, float, str]]:
    """One score per evaluation: the reviewer's where there is one, else the AI's."""
    best: dict[str, training.Observation] = {}
    for o in history:
        if o.criterion != criterion:
            continue
        held = best.get(o.evaluation_id)
        if held is None or (o.source == "human" and held.source != "human"):
            best[o.evaluation_id] = o
    return sorted((o.observed_at, o.score, o.source) for o in best.values())


@dataclass(frozen=True)
class AgentLoop:
    loops: list[Loop]
    start: datetime | None
    end: datetime | None


def y_of(score: float) -> float:
    """Chart height: 1.0 at the top (10), 0 at the bottom (90) of a 0..100 box."""
    return round(90 - 80 * score, 2)


def agent_loop(agent: Agent) -> AgentLoop:
    """For each of the agent's assignments: its criteria's scores over time, the assignment and
    completion marked, and the before/after comparison."""
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.agent_id == agent.id)
            .options(joinedload(Assignment.module))
            .order_by(Assignment.created_at.desc())
        )
    )
    if not assignments:
        return AgentLoop([], None, None)
    history = score_history([agent.id])
    times = [o.observed_at for o in history] + [a.created_at for a in assignments]
    times += [a.completed_at for a in assignments if a.completed_at]
    start, end = min(times), max(times)
    width = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        return round(4 + 92 * (at - start).total_seconds() / width, 2)

    loops = []
    for a in assignments:
        spec = library_module(a.module)
        (lib,) = library_assignments([a])
        before, after = training.evaluation_windows(
            history, lib, criteria=spec.criteria, n=WINDOW_N
        )
        compared = training.effect(
            before, after, criteria=spec.criteria, min_evaluations=REPORT_MIN_EVALUATIONS
        )
        criteria = []
        for c in compared.by_criterion:
            points = [
                Point(x(at), y_of(score), at, score, source)
                for at, score, source in _scores_of_record(history, c.criterion)
            ]
            criteria.append(LoopCriterion(c.criterion, c, points))
        loops.append(
            Loop(a, criteria, x(a.created_at), x(a.completed_at) if a.completed_at else None)
        )
    return AgentLoop(loops, start, end)
