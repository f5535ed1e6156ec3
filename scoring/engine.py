"""The engine: run each rubric criterion's scorer and combine results into score sheets."""

from __future__ import annotations

from collections.abc import Iterable

from scoring.metrics import compute_metrics
from scoring.registry import CriterionInput, get_scorer
from scoring.rubric import default_rubric
from scoring.types import CriterionResult, Interaction, Rubric, ScoreSheet, ScoringContext

__all__ = ["score"]


def _score_one(
    interaction: Interaction,
    rubric: Rubric,
    batch: tuple[Interaction, ...],
    context: ScoringContext,
) -> ScoreSheet:
    results: dict[str, CriterionResult] = {}
    weighted = weights = 0.0
    auto_fail = False
    for spec in rubric.criteria:
        scorer = get_scorer(spec.type)
        result = scorer.fn(CriterionInput(interaction, spec.settings, batch, context))
        if result.score is None and not spec.na_allowed:
            result = CriterionResult(
                0.0, f"{result.label} (N/A not allowed)", result.confidence, result.evidence
            )
        results[spec.key] = result
        if result.score is None:
            continue
        weighted += spec.weight * result.score
        weights += spec.weight
        if spec.critical and result.score < spec.critical_below:
            auto_fail = True
    total = 100 * weighted / weights if weights else 0.0
    if auto_fail and rubric.zero_on_auto_fail:
        total = 0.0
    metrics = compute_metrics(interaction)
    for result in results.values():
        if "scripted_ratio" in result.details:
            metrics["scripted_ratio"] = round(result.details["scripted_ratio"], 4)
    return ScoreSheet(
        interaction_id=interaction.interaction_id,
        rubric_name=rubric.name,
        rubric_version=rubric.version,
        total=total,
        auto_fail=auto_fail,
        criteria=results,
        metrics=metrics,
        agent_id=interaction.agent_id,
    )


def score(
    interactions: Iterable[Interaction],
    rubric: Rubric | None = None,
    context: ScoringContext | None = None,
) -> list[ScoreSheet]:
    """Score a batch; the batch is also what cross-call repetition is checked against.

    :param rubric: None uses the shipped default rubric.
    :param context: earlier interactions and repeat contacts known to the caller.
    """
    batch = tuple(interactions)
    rubric = rubric or default_rubric()
    context = context or ScoringContext()
    return [_score_one(item, rubric, batch, context) for item in batch]
