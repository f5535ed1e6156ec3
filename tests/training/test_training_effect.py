from __future__ import annotations

import random

import pytest

from tests.training.builders import at, series
from training import Assignment, effect, evaluation_windows, load_catalog, module_effect

BEFORE = [0.35, 0.4, 0.5, 0.3, 0.45, 0.4, 0.55, 0.35]
AFTER = [0.75, 0.8, 0.7, 0.85, 0.9, 0.7, 0.8, 0.75]


def test_clear_improvement_has_an_interval_that_excludes_zero() -> None:
    result = effect(series("a", "empathy", BEFORE), series("a", "empathy", AFTER, first_day=20))
    overall = result.overall
    assert (overall.before_n, overall.after_n) == (8, 8)
    assert overall.before_mean == pytest.approx(sum(BEFORE) / 8)
    assert overall.change == pytest.approx((sum(AFTER) - sum(BEFORE)) / 8)
    assert overall.low is not None and overall.high is not None
    assert 0 < overall.low < overall.change < overall.high
    assert overall.enough_data
    assert overall.note.startswith("+0.37 (95% interval +0.")
    assert overall.note.endswith("8 evaluations before, 8 after)")
    assert [c.criterion for c in result.by_criterion] == ["empathy"]


def test_no_change_has_an_interval_around_zero() -> None:
    result = effect(
        series("a", "closing", BEFORE), series("a", "closing", BEFORE[::-1], first_day=20)
    )
    assert result.overall.change == pytest.approx(0.0)
    assert result.overall.low < 0 < result.overall.high


def test_not_enough_data_gives_no_number() -> None:
    result = effect(series("a", "empathy", BEFORE), series("a", "empathy", AFTER[:3], first_day=20))
    overall = result.overall
    assert (overall.change, overall.low, overall.high) == (None, None, None)
    assert not overall.enough_data
    assert (overall.before_n, overall.after_n) == (8, 3)
    assert overall.note == (
        "not enough data: 8 evaluations before and 3 after, 5 needed on each side"
    )
    assert effect([], []).overall.note.startswith("not enough data: 0 evaluations before and 0")


def test_more_data_narrows_the_interval() -> None:
    small = effect(
        series("a", "empathy", BEFORE[:5]), series("a", "empathy", AFTER[:5], first_day=9)
    )
    large = effect(
        series("a", "empathy", BEFORE * 4), series("a", "empathy", AFTER * 4, first_day=40)
    )

    def width(e):
        return e.overall.high - e.overall.low

    assert width(large) < width(small)


def test_higher_confidence_widens_the_interval() -> None:
    before, after = series("a", "empathy", BEFORE), series("a", "empathy", AFTER, first_day=20)
    narrow = effect(before, after, confidence=0.8).overall
    wide = effect(before, after, confidence=0.99).overall
    assert wide.low < narrow.low and narrow.high < wide.high


def test_deterministic_and_independent_of_input_order() -> None:
    before = series("a", "empathy", BEFORE) + series("a", "greeting", AFTER)
    after = series("a", "empathy", AFTER, first_day=20) + series(
        "a", "greeting", AFTER, first_day=20
    )
    first = effect(before, after)
    shuffled_before, shuffled_after = list(before), list(after)
    random.Random(3).shuffle(shuffled_before)
    random.Random(4).shuffle(shuffled_after)
    assert effect(shuffled_before, shuffled_after) == first
    assert first.criteria == ("empathy", "greeting")
    greeting = first.by_criterion[1]
    assert greeting.change == pytest.approx(0.0)
    assert greeting.low < 0 < greeting.high


def test_per_evaluation_average_and_criteria_scope() -> None:
    # Each evaluation has empathy and greeting; the overall value averages them per evaluation.
    before = series("a", "empathy", [0.2] * 5) + series("a", "greeting", [0.6] * 5)
    after = series("a", "empathy", [0.6] * 5, first_day=9) + series(
        "a", "greeting", [0.6] * 5, first_day=9
    )
    both = effect(before, after)
    assert (both.overall.before_n, both.overall.after_n) == (5, 5)
    assert both.overall.change == pytest.approx(0.2)
    only = effect(before, after, criteria=["empathy"])
    assert only.overall.change == pytest.approx(0.4)
    assert only.criteria == ("empathy",)


def test_reviewer_score_replaces_ai_suggestion() -> None:
    before = series("a", "empathy", [0.4] * 5)
    after = series("a", "empathy", [0.9] * 5, first_day=9, source="ai") + series(
        "a", "empathy", [0.5] * 5, first_day=9
    )
    assert effect(before, after).overall.change == pytest.approx(0.1)
    assert effect(before, after).overall.after_n == 5


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="confidence"):
        effect([], [], confidence=1.0)
    with pytest.raises(ValueError, match="min_evaluations"):
        effect([], [], min_evaluations=1)


def test_windows_take_last_n_before_assignment_and_first_n_after_completion() -> None:
    history = (
        series("a", "empathy", [0.1] * 10)  # days 0..9
        + series("a", "empathy", [0.5] * 3, first_day=10)  # during training, days 10..12
        + series("a", "empathy", [0.9] * 10, first_day=13)  # days 13..22
        + series("a", "greeting", [0.2] * 20)  # another criterion
        + series("b", "empathy", [0.3] * 20)  # another agent
    )
    assignment = Assignment("a", "acknowledging-frustration", at(9.5), at(12.5))
    before, after = evaluation_windows(history, assignment, criteria=["empathy"], n=4)
    assert [o.observed_at for o in before] == [at(d) for d in (6, 7, 8, 9)]
    assert [o.observed_at for o in after] == [at(d) for d in (13, 14, 15, 16)]
    assert {(o.agent_id, o.criterion) for o in before + after} == {("a", "empathy")}
    still_open = Assignment("a", "acknowledging-frustration", at(9.5))
    assert evaluation_windows(history, still_open, criteria=["empathy"], n=4)[1] == []
    with pytest.raises(ValueError):
        evaluation_windows(history, assignment, criteria=["empathy"], n=0)


def test_module_effect_pools_agents_who_completed_the_module() -> None:
    module = load_catalog().get("handling-an-angry-customer")
    history = []
    assignments = []
    for agent, gain in (("a", 0.3), ("b", 0.2)):
        history += series(agent, "empathy", [0.4] * 5) + series(agent, "mood_trajectory", [0.3] * 5)
        history += series(agent, "empathy", [0.4 + gain] * 5, first_day=10)
        history += series(agent, "mood_trajectory", [0.3 + gain] * 5, first_day=10)
        assignments.append(Assignment(agent, module.id, at(5), at(8)))
    history += series("c", "empathy", [0.1] * 5, first_day=10)  # never assigned: ignored
    assignments.append(Assignment("d", module.id, at(5)))  # not completed: ignored
    assignments.append(Assignment("a", "required-disclosures", at(5), at(8)))  # other module
    result = module_effect(module, history, assignments)
    assert result.module_id == module.id
    assert result.criteria == ("empathy", "mood_trajectory")
    assert (result.overall.before_n, result.overall.after_n) == (10, 10)
    assert result.overall.change == pytest.approx(0.25)
    assert result.overall.low > 0
    one_agent = module_effect(module, history, assignments[:1])
    assert one_agent.overall.change == pytest.approx(0.3)
    assert not module_effect(module, history, assignments[:1], n=3).overall.enough_data
