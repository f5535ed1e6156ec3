from __future__ import annotations

import random

import pytest

from tests.training.builders import at, obs, series
from training import Assignment, Policy, load_catalog, recommend, standings

CATALOG = load_catalog()
GOOD = [0.9, 0.85, 0.8, 0.95, 0.9, 0.88]


def empathy_history(agent: str = "ana") -> list:
    """Six human-reviewed calls averaging 0.41 with 9 of 14 empathy opportunities missed."""
    scores = [0.3, 0.5, 0.4, 0.45, 0.35, 0.46]
    opportunities = [(3, 2), (2, 1), (2, 1), (3, 2), (2, 2), (2, 1)]
    return [
        obs(agent, "empathy", s, day, opportunities=o, missed=m)
        for day, (s, (o, m)) in enumerate(zip(scores, opportunities, strict=True))
    ]


def test_weak_criterion_becomes_a_module_with_a_readable_reason() -> None:
    history = empathy_history() + series("ana", "greeting", GOOD)
    [rec] = recommend(history, CATALOG)
    assert rec.agent_id == "ana"
    assert rec.module_id == "acknowledging-frustration"  # shorter of the two empathy modules
    assert rec.criteria == ("empathy",)
    assert rec.reason == "empathy 0.41 over the last 6 calls; 9 of 14 opportunities missed"
    assert rec.gap == pytest.approx(0.6 - 0.41)
    assert rec.evaluation_ids == tuple(sorted(f"ana-e{d}" for d in range(6)))


def test_too_little_data_recommends_nothing_but_says_so() -> None:
    history = series("ben", "empathy", [0.1, 0.2])
    assert recommend(history, CATALOG) == []
    [standing] = standings(history)
    assert (standing.evaluations, standing.enough_data) == (2, False)
    assert standing.score == pytest.approx(0.15)
    # A third evaluation reaches the default minimum of 3.
    history.append(obs("ben", "empathy", 0.2, 5))
    assert [r.module_id for r in recommend(history, CATALOG)] == ["acknowledging-frustration"]


def test_empty_history_and_unknown_criterion() -> None:
    assert recommend([], CATALOG) == []
    assert recommend(series("cy", "hold_time", [0.1] * 6), CATALOG) == []


def test_only_the_last_n_evaluations_count() -> None:
    improved = series("dee", "resolution", [0.1] * 10 + [0.9] * 6)
    assert recommend(improved, CATALOG) == []
    slipped = series("dee", "resolution", [0.9] * 10 + [0.2] * 6)
    [rec] = recommend(slipped, CATALOG)
    assert rec.module_id == "owning-the-resolution"
    assert "resolution 0.20 over the last 6 calls" in rec.reason
    # With a longer window the old good scores lift the average above the threshold.
    assert recommend(slipped, CATALOG, policy=Policy(last_n=16)) == []


def test_human_scores_weigh_more_than_ai_suggestions() -> None:
    # Three calls a reviewer scored 0.72, three unreviewed AI suggestions of 0.4.
    history = series("eve", "closing", [0.72] * 3) + series(
        "eve", "closing", [0.4] * 3, first_day=3, source="ai"
    )
    assert recommend(history, CATALOG) == []  # (3*0.72 + 1.5*0.4) / 4.5 = 0.61
    equal = recommend(history, CATALOG, policy=Policy(ai_weight=1.0))  # 0.56
    assert [r.module_id for r in equal] == ["opening-and-closing-a-call"]
    only_human = Policy(ai_weight=0.0, min_evaluations=3)
    assert standings(history, only_human)[0].evaluations == 3


def test_reviewer_score_replaces_the_ai_suggestion_of_the_same_evaluation() -> None:
    history = []
    for day in range(4):
        evaluation = f"ev{day}"
        history.append(obs("fay", "disclosure", 0.1, day, source="ai", evaluation=evaluation))
        history.append(obs("fay", "disclosure", 0.9, day, evaluation=evaluation))
    [standing] = standings(history)
    assert (standing.score, standing.evaluations, standing.human) == (0.9, 4, 4)
    assert recommend(history, CATALOG) == []


def test_ai_only_reason_says_it_is_unreviewed() -> None:
    [rec] = recommend(series("gus", "disclosure", [0.2] * 4, source="ai"), CATALOG)
    assert rec.module_id == "required-disclosures"
    assert (
        rec.reason == "disclosure 0.20 over the last 4 calls; AI suggestions only, not yet reviewed"
    )


def test_recently_completed_module_is_not_recommended_again() -> None:
    history = empathy_history()  # last call on day 5
    recent = [Assignment("ana", "acknowledging-frustration", at(0), at(1))]
    [rec] = recommend(history, CATALOG, recent)
    assert rec.module_id == "handling-an-angry-customer"  # the other empathy module
    both = recent + [Assignment("ana", "handling-an-angry-customer", at(0), at(2))]
    assert recommend(history, CATALOG, both) == []
    # Long ago, beyond the 30-day cooldown: recommended again.
    old = [Assignment("ana", "acknowledging-frustration", at(-60), at(-50))]
    assert recommend(history, CATALOG, old)[0].module_id == "acknowledging-frustration"
    # An open assignment blocks it whatever its date; another agent's completion does not.
    open_one = [Assignment("ana", "acknowledging-frustration", at(-90))]
    assert recommend(history, CATALOG, open_one)[0].module_id == "handling-an-angry-customer"
    other = [Assignment("zed", "acknowledging-frustration", at(0), at(1))]
    assert recommend(history, CATALOG, other)[0].module_id == "acknowledging-frustration"


def test_cooldown_uses_policy_now_not_the_clock() -> None:
    history = empathy_history()
    done = [Assignment("ana", "acknowledging-frustration", at(0), at(1))]
    later = Policy(now=at(40))
    assert recommend(history, CATALOG, done, later)[0].module_id == "acknowledging-frustration"


def test_mood_trajectory_and_empathy_share_one_module() -> None:
    history = empathy_history() + series("ana", "mood_trajectory", [0.2, 0.3, 0.1, 0.4])
    [rec] = recommend(history, CATALOG)
    assert rec.module_id == "handling-an-angry-customer"
    assert rec.criteria == ("mood_trajectory", "empathy")  # largest gap first
    assert rec.reason.startswith("mood_trajectory 0.25 over the last 4 calls. empathy 0.41")


def test_mood_trajectory_alone() -> None:
    [rec] = recommend(series("hal", "mood_trajectory", [0.3] * 5), CATALOG)
    assert (rec.module_id, rec.criteria) == ("handling-an-angry-customer", ("mood_trajectory",))


def test_several_agents_and_criteria_sorted_by_agent_then_gap() -> None:
    history = (
        series("bob", "greeting", [0.5] * 3)
        + series("bob", "disclosure", [0.1] * 3)
        + series("amy", "scripted_phrasing", [0.55] * 3)
        + series("amy", "closing", [0.9] * 3)
    )
    result = recommend(history, CATALOG)
    assert [(r.agent_id, r.module_id) for r in result] == [
        ("amy", "speaking-without-a-script"),
        ("bob", "required-disclosures"),
        ("bob", "opening-and-closing-a-call"),
    ]
    assert [round(r.gap, 2) for r in result] == [0.05, 0.5, 0.1]


def test_per_criterion_threshold() -> None:
    history = series("ida", "disclosure", [0.75] * 4)
    assert recommend(history, CATALOG) == []
    strict = Policy(thresholds={"disclosure": 0.9})
    assert [r.module_id for r in recommend(history, CATALOG, policy=strict)] == [
        "required-disclosures"
    ]


def test_result_does_not_depend_on_input_order() -> None:
    history = (
        empathy_history("ana")
        + empathy_history("bea")
        + series("ana", "mood_trajectory", [0.2, 0.3, 0.1, 0.4])
        + series("bea", "closing", [0.5, 0.2, 0.3])
    )
    expected = recommend(history, CATALOG)
    shuffled = list(history)
    random.Random(7).shuffle(shuffled)
    assert recommend(shuffled, CATALOG) == expected
    assert len(expected) == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"last_n": 0},
        {"min_evaluations": 7},
        {"ai_weight": 1.5},
        {"threshold": 2.0},
        {"thresholds": {"empathy": -0.1}},
        {"cooldown_days": -1},
    ],
)
def test_invalid_policy(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)


def test_observation_validation() -> None:
    with pytest.raises(ValueError, match="within 0..1"):
        obs("a", "empathy", 1.2, 0)
    with pytest.raises(ValueError, match="'human' or 'ai'"):
        obs("a", "empathy", 0.5, 0, source="robot")
    with pytest.raises(ValueError, match="missed"):
        obs("a", "empathy", 0.5, 0, opportunities=2, missed=3)
    with pytest.raises(ValueError, match="together"):
        obs("a", "empathy", 0.5, 0, opportunities=2)
    with pytest.raises(ValueError, match="before assigned_at"):
        Assignment("a", "m", at(2), at(1))
