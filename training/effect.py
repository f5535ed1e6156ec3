"""Did the training work? Scores before assignment against scores after completion.

The unit is the evaluation: for each one, the score of record of each criterion (a reviewer's
score replaces the AI suggestion), averaged over the criteria in scope. The interval is Welch's
t-interval for the difference of means: in simulations of 5 to 15 evaluations a side it kept
close to its nominal coverage, where a percentile bootstrap covered only 88% at 5 (it is too
narrow for small samples). It needs no random numbers, so a report is the same every time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from functools import partial

from training.history import evaluation_scores
from training.stats import welch_interval
from training.types import Assignment, CriterionEffect, Effect, Module, Observation

__all__ = ["effect", "evaluation_windows", "module_effect"]

OVERALL = "overall"


def _per_evaluation(
    observations: Iterable[Observation], criteria: Collection[str]
) -> dict[str, list[float]]:
    """Criterion (and ``OVERALL``) -> one value per evaluation, in a stable order."""
    per_eval: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    in_scope = (o for o in observations if o.criterion in criteria)
    for (agent_id, criterion), scores in evaluation_scores(in_scope).items():
        for score in scores:
            per_eval[(agent_id, score.evaluation_id)][criterion] = score.score
    values: dict[str, list[float]] = defaultdict(list)
    for key in sorted(per_eval):
        by_criterion = per_eval[key]
        for criterion, score in by_criterion.items():
            values[criterion].append(score)
        total = sum(by_criterion[c] for c in sorted(by_criterion))
        values[OVERALL].append(total / len(by_criterion))
    return values


def _compare(
    name: str,
    before: list[float],
    after: list[float],
    *,
    confidence: float,
    min_evaluations: int,
) -> CriterionEffect:
    before_mean = sum(before) / len(before) if before else None
    after_mean = sum(after) / len(after) if after else None
    if len(before) < min_evaluations or len(after) < min_evaluations:
        note = (
            f"not enough data: {len(before)} evaluations before and {len(after)} after, "
            f"{min_evaluations} needed on each side"
        )
        return CriterionEffect(
            name, len(before), len(after), before_mean, after_mean, None, None, None, note
        )
    change, low, high = welch_interval(before, after, confidence)
    note = (
        f"{change:+.2f} ({confidence:.0%} interval {low:+.2f} to {high:+.2f}; "
        f"{len(before)} evaluations before, {len(after)} after)"
    )
    return CriterionEffect(
        name, len(before), len(after), before_mean, after_mean, change, low, high, note
    )


def effect(
    before: Iterable[Observation],
    after: Iterable[Observation],
    *,
    criteria: Collection[str] | None = None,
    confidence: float = 0.95,
    min_evaluations: int = 5,
    module_id: str | None = None,
) -> Effect:
    """Change of scores from ``before`` to ``after``, with a t-interval and the sample sizes.

    :param criteria: the criteria to compare (a module's); default: all that occur.
    :param min_evaluations: below this many evaluations on either side, the result says
        "not enough data" instead of a number.
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be within (0, 1)")
    if min_evaluations < 2:
        raise ValueError("min_evaluations must be at least 2 (an interval needs a spread)")
    before, after = list(before), list(after)
    scope = tuple(
        sorted(criteria if criteria is not None else {o.criterion for o in before + after})
    )
    before_values = _per_evaluation(before, scope)
    after_values = _per_evaluation(after, scope)
    compare = partial(_compare, confidence=confidence, min_evaluations=min_evaluations)
    by_criterion = tuple(
        compare(c, before_values.get(c, []), after_values.get(c, [])) for c in scope
    )
    overall = compare(OVERALL, before_values.get(OVERALL, []), after_values.get(OVERALL, []))
    return Effect(
        criteria=scope,
        confidence=confidence,
        overall=overall,
        by_criterion=by_criterion,
        module_id=module_id,
    )


def evaluation_windows(
    history: Iterable[Observation],
    assignment: Assignment,
    *,
    criteria: Collection[str],
    n: int = 5,
) -> tuple[list[Observation], list[Observation]]:
    """The agent's last ``n`` evaluations (of ``criteria``) before the module was assigned, and
    the first ``n`` after it was completed; evaluations in between are left out. An open
    assignment has no "after"."""
    if n < 1:
        raise ValueError("n must be at least 1")
    by_evaluation: dict[str, list[Observation]] = defaultdict(list)
    for observation in history:
        if observation.agent_id == assignment.agent_id and observation.criterion in criteria:
            by_evaluation[observation.evaluation_id].append(observation)
    timeline: list[tuple[datetime, str]] = sorted(
        (min(o.observed_at for o in obs), eid) for eid, obs in by_evaluation.items()
    )
    before_ids = [eid for at, eid in timeline if at < assignment.assigned_at][-n:]
    after_ids: list[str] = []
    if assignment.completed_at is not None:
        after_ids = [eid for at, eid in timeline if at > assignment.completed_at][:n]
    return (
        [o for eid in before_ids for o in by_evaluation[eid]],
        [o for eid in after_ids for o in by_evaluation[eid]],
    )


def module_effect(
    module: Module,
    history: Iterable[Observation],
    assignments: Iterable[Assignment],
    *,
    n: int = 5,
    confidence: float = 0.95,
    min_evaluations: int = 5,
) -> Effect:
    """Effect of ``module`` over every completed assignment of it in ``assignments`` (pass one
    team's or one agent's assignments for a per-team or per-agent figure)."""
    observations = list(history)
    before: set[Observation] = set()
    after: set[Observation] = set()
    for assignment in assignments:
        if assignment.module_id != module.id or assignment.completed_at is None:
            continue
        pre, post = evaluation_windows(observations, assignment, criteria=module.criteria, n=n)
        before.update(pre)
        after.update(post)
    return effect(
        before,
        after,
        criteria=module.criteria,
        confidence=confidence,
        min_evaluations=min_evaluations,
        module_id=module.id,
    )
