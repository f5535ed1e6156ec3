"""Reading a score history: one score per evaluation and criterion, recent standings per agent.

An evaluation can hold both the AI suggestion and the reviewer's score for a criterion; the
reviewer's score replaces the suggestion (it is the judgement of record), so each evaluation
counts once. Every ordering is by time and then id, so results never depend on input order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from training.types import Observation, Policy, Standing

__all__ = ["EvaluationScore", "evaluation_scores", "standings"]


@dataclass(frozen=True)
class EvaluationScore:
    """The score of record for one criterion in one evaluation."""

    evaluation_id: str
    observed_at: datetime
    score: float
    source: str
    opportunities: int | None
    missed: int | None


def _pick(candidates: list[Observation]) -> Observation:
    human = [o for o in candidates if o.source == "human"]
    pool = human or candidates
    return max(pool, key=lambda o: (o.observed_at, o.score))


def evaluation_scores(
    history: Iterable[Observation],
) -> dict[tuple[str, str], list[EvaluationScore]]:
    """Per (agent, criterion), one score per evaluation, oldest first."""
    grouped: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
    for observation in history:
        key = (observation.agent_id, observation.criterion, observation.evaluation_id)
        grouped[key].append(observation)
    result: dict[tuple[str, str], list[EvaluationScore]] = defaultdict(list)
    for (agent_id, criterion, evaluation_id), candidates in grouped.items():
        chosen = _pick(candidates)
        result[(agent_id, criterion)].append(
            EvaluationScore(
                evaluation_id=evaluation_id,
                observed_at=chosen.observed_at,
                score=chosen.score,
                source=chosen.source,
                opportunities=chosen.opportunities,
                missed=chosen.missed,
            )
        )
    for scores in result.values():
        scores.sort(key=lambda s: (s.observed_at, s.evaluation_id))
    return dict(result)


def _standing(
    agent_id: str, criterion: str, scores: list[EvaluationScore], policy: Policy
) -> Standing:
    if policy.ai_weight == 0:
        scores = [s for s in scores if s.source == "human"]
    recent = scores[-policy.last_n :]
    weights = [1.0 if s.source == "human" else policy.ai_weight for s in recent]
    total = sum(weights)
    score = sum(w * s.score for w, s in zip(weights, recent, strict=True)) / total if total else 0.0
    counted = [s for s in recent if s.opportunities is not None]
    return Standing(
        agent_id=agent_id,
        criterion=criterion,
        score=round(score, 6),
        evaluations=len(recent),
        human=sum(1 for s in recent if s.source == "human"),
        opportunities=sum(s.opportunities or 0 for s in counted),
        missed=sum(s.missed or 0 for s in counted),
        evaluation_ids=tuple(s.evaluation_id for s in recent),
        enough_data=len(recent) >= policy.min_evaluations,
    )


def standings(history: Iterable[Observation], policy: Policy | None = None) -> list[Standing]:
    """Each agent's weighted score per criterion over their last ``policy.last_n`` evaluations.

    Human scores weigh 1, AI suggestions ``policy.ai_weight``. ``enough_data`` is False below
    ``policy.min_evaluations``; such standings are returned anyway so a person can see why
    nothing was concluded. Sorted by agent, then criterion.
    """
    policy = policy or Policy()
    per_key = evaluation_scores(history)
    result = [
        _standing(agent, criterion, scores, policy)
        for (agent, criterion), scores in per_key.items()
    ]
    return sorted((s for s in result if s.evaluations), key=lambda s: (s.agent_id, s.criterion))
