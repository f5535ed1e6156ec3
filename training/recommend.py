"""From weak criteria to modules: which agent should take which module, and why in words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from training.history import standings
from training.types import (
    Assignment,
    Catalog,
    Module,
    Observation,
    Policy,
    Recommendation,
    Standing,
)

__all__ = ["recommend"]


def _blocked(
    completed: Iterable[Assignment], now: datetime, cooldown_days: int
) -> set[tuple[str, str]]:
    """(agent, module) pairs not to recommend: still open, or completed within the cooldown."""
    since = now - timedelta(days=cooldown_days)
    return {
        (a.agent_id, a.module_id)
        for a in completed
        if a.completed_at is None or a.completed_at >= since
    }


def _reason(standing: Standing) -> str:
    plural = "call" if standing.evaluations == 1 else "calls"
    text = (
        f"{standing.criterion} {standing.score:.2f} over the last {standing.evaluations} {plural}"
    )
    if standing.opportunities:
        text += f"; {standing.missed} of {standing.opportunities} opportunities missed"
    if standing.human == 0:
        text += "; AI suggestions only, not yet reviewed"
    return text


def _choose(
    criterion: str,
    weak: set[str],
    catalog: Catalog,
    blocked: set[tuple[str, str]],
    agent_id: str,
) -> Module | None:
    """The module for ``criterion``: the one covering most of the agent's weak criteria, then
    the shortest, then by id (so the choice is stable)."""
    candidates = [m for m in catalog.training(criterion) if (agent_id, m.id) not in blocked]
    if not candidates:
        return None
    return min(candidates, key=lambda m: (-len(weak.intersection(m.criteria)), m.minutes, m.id))


def recommend(
    history: Iterable[Observation],
    catalog: Catalog,
    completed: Sequence[Assignment] = (),
    policy: Policy | None = None,
) -> list[Recommendation]:
    """Modules to assign, per agent, for criteria whose recent scores fall below the threshold.

    Each weak criterion (enough evaluations, weighted score under its threshold) is mapped to one
    module that trains it and that the agent has neither open nor completed within
    ``policy.cooldown_days``; criteria that land on the same module share one recommendation.
    Deterministic: the reference time is ``policy.now`` or the latest observation, never the
    clock, and ties are broken by name.

    :param completed: the agents' assignments; open ones (no ``completed_at``) also block.
    :return: sorted by agent, then largest gap below threshold first, then module id.
    """
    policy = policy or Policy()
    observations = list(history)
    if not observations:
        return []
    now = policy.now or max(o.observed_at for o in observations)
    blocked = _blocked(completed, now, policy.cooldown_days)
    weak_by_agent: dict[str, list[Standing]] = defaultdict(list)
    for standing in standings(observations, policy):
        if standing.enough_data and standing.score < policy.threshold_for(standing.criterion):
            weak_by_agent[standing.agent_id].append(standing)

    result: list[Recommendation] = []
    for agent_id, weak in weak_by_agent.items():
        weak_keys = {s.criterion for s in weak}
        chosen: dict[str, list[Standing]] = defaultdict(list)
        ordered = sorted(
            weak, key=lambda s: (s.score - policy.threshold_for(s.criterion), s.criterion)
        )
        for standing in ordered:
            module = _choose(standing.criterion, weak_keys, catalog, blocked, agent_id)
            if module is not None:
                chosen[module.id].append(standing)
        for module_id, targets in chosen.items():
            evaluation_ids = sorted({e for s in targets for e in s.evaluation_ids})
            result.append(
                Recommendation(
                    agent_id=agent_id,
                    module_id=module_id,
                    criteria=tuple(s.criterion for s in targets),
                    reason=". ".join(_reason(s) for s in targets),
                    gap=round(max(policy.threshold_for(s.criterion) - s.score for s in targets), 6),
                    evaluation_ids=tuple(evaluation_ids),
                )
            )
    return sorted(result, key=lambda r: (r.agent_id, -r.gap, r.module_id))
