"""Rubric loading and validation: every rejection names what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring import (
    CriterionResult,
    RubricError,
    default_rubric,
    interaction_from_text,
    load_rubric,
    register,
    rubric_from_dict,
    rubric_to_dict,
    score,
)


def _doc(**criterion) -> dict:  # type: ignore[no-untyped-def]
    base = {"key": "empathy", "weight": 1}
    base.update(criterion)
    return {"name": "r", "version": "2", "criteria": [base]}


def test_default_rubric_has_the_required_keys() -> None:
    rubric = default_rubric()
    keys = {c.key for c in rubric.criteria}
    assert {
        "greeting",
        "empathy",
        "resolution",
        "scripted_phrasing",
        "disclosure",
        "closing",
    } <= keys
    assert rubric.version and rubric.name
    assert rubric.criterion("disclosure").critical


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**_doc(), "colour": "red"}, "unknown key 'colour'"),
        (_doc(wieght=2), "unknown key 'wieght'"),
        (_doc(weight=0), "weight must be a positive number"),
        (_doc(weight=-1), "weight must be a positive number"),
        (_doc(weight="heavy"), "weight must be a positive number"),
        (_doc(type="telepathy"), "unknown criterion type 'telepathy'"),
        (_doc(settings={"response_turn": 3}), "unknown setting 'response_turn'"),
        (_doc(settings={"response_turns": "two"}), "must be a number"),
        (_doc(critical="yes"), "critical must be true or false"),
        ({"name": "r", "criteria": [{"key": "empathy"}]}, "missing or invalid 'version'"),
        ({"name": "r", "version": "1", "criteria": []}, "non-empty list"),
        ("just text", "must be a mapping"),
    ],
)
def test_invalid_rubrics_are_rejected_with_a_clear_message(doc: object, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        rubric_from_dict(doc)


def test_duplicate_criteria_are_rejected() -> None:
    doc = {"name": "r", "version": "1", "criteria": [{"key": "empathy"}, {"key": "empathy"}]}
    with pytest.raises(RubricError, match="duplicate criterion 'empathy'"):
        rubric_from_dict(doc)


def test_json_and_yaml_files_load_and_round_trip(tmp_path: Path) -> None:
    as_json = tmp_path / "r.json"
    as_json.write_text(json.dumps(rubric_to_dict(default_rubric())))
    again = load_rubric(as_json)
    assert again == default_rubric()
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(RubricError, match="cannot parse rubric"):
        load_rubric(broken)
    with pytest.raises(RubricError, match="cannot read rubric"):
        load_rubric(tmp_path / "absent.yaml")


def test_total_is_weighted_mean_of_applicable_criteria() -> None:
    rubric = rubric_from_dict(
        {
            "name": "r",
            "version": "1",
            "criteria": [
                {"key": "greeting", "weight": 3},
                {"key": "closing", "weight": 1},
                {"key": "empathy", "weight": 5},
            ],
        }
    )
    call = interaction_from_text(
        "Agent: Good morning, my name is Sam.\nCustomer: Hi.\nAgent: Ok.\n"
    )
    sheet = score([call], rubric)[0]
    assert sheet.criteria["empathy"].score is None  # no opportunity: not counted
    assert sheet.total == pytest.approx(100 * (3 * 1.0 + 1 * 0.0) / 4)


def test_auto_fail_can_keep_the_total_when_the_rubric_says_so() -> None:
    doc = {
        "name": "r",
        "version": "1",
        "zero_on_auto_fail": False,
        "criteria": [{"key": "greeting", "critical": True}, {"key": "closing"}],
    }
    call = interaction_from_text("Agent: Ok.\nCustomer: Bye.\nAgent: Have a nice day!\n")
    sheet = score([call], rubric_from_dict(doc))[0]
    assert sheet.auto_fail is True and sheet.total == pytest.approx(25.0)


def test_a_team_can_register_its_own_criterion() -> None:
    @register("mentions_refund_policy_test", {"word": "refund"})
    def _policy(request):  # type: ignore[no-untyped-def]
        said = any(request.settings["word"] in t.text.lower() for t in request.interaction.turns)
        return CriterionResult(1.0 if said else 0.0, "said" if said else "not said", 1.0)

    doc = {
        "name": "r",
        "version": "1",
        "criteria": [{"key": "policy", "type": "mentions_refund_policy_test"}],
    }
    call = interaction_from_text("Agent: Your refund is on its way.\n")
    assert score([call], rubric_from_dict(doc))[0].total == 100.0
