"""Taxonomy validation: each bad taxonomy fails with one line naming the tag and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scoring.taxonomy import (
    TaxonomyError,
    demo_taxonomy,
    load_taxonomy,
    taxonomy_from_dict,
    taxonomy_to_dict,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "scoring" / "tagging"


def _tax(*tags: dict[str, Any], kinds: list[str] | None = None) -> dict[str, Any]:
    return {"version": "t1", "kinds": kinds or ["complaint"], "tags": list(tags)}


GOOD = {"key": "delivery", "examples": ["my parcel is late"]}


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [GOOD, {"key": "late", "parent": "nowhere", "examples": ["x"]}],
            "unknown parent 'nowhere'",
        ),
        ([GOOD, {"key": "delivery", "examples": ["y"]}], "duplicate tag key 'delivery'"),
        (
            [
                {"key": "a", "parent": "b", "examples": ["x"]},
                {"key": "b", "parent": "a", "examples": ["y"]},
            ],
            "cycle in parents",
        ),
        ([GOOD, {"key": "empty", "description": "words only"}], "'empty': has neither examples"),
        ([{"key": "x", "kind": "enquiry", "examples": ["a"]}], "kind 'enquiry' is not one of"),
        ([{"key": "x", "examples": ["a"], "colour": "red"}], "unknown field(s) colour"),
        ([{"key": "x", "rule": {"any": ["a"], "maybe": ["b"]}}], "unknown rule field(s) maybe"),
        ([{"key": "x", "rule": {"none": ["a"]}}], "at least one of any, all, near"),
        ([{"key": "x", "rule": {"near": {"terms": ["a"], "within": 3}}}], "two or more terms"),
        ([{"key": "x", "rule": {"any": ["a"], "speaker": "bot"}}], "speaker must be one of"),
        ([{"key": "x", "rule": {"any": ["a"], "window": {"first_s": -1}}}], "positive number"),
        ([{"key": "x", "rule": {"any": ["a"], "window": {"middle": 3}}}], "window must be"),
        ([{"key": "x", "examples": ["a"], "threshold": 1.5}], "between 0 and 1"),
        ([{"key": "x", "examples": [""]}], "non-empty strings"),
    ],
)
def test_invalid_taxonomies_name_the_problem(tags: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(TaxonomyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        taxonomy_from_dict(_tax(*tags))


def test_kind_mismatch_with_parent_and_kind_inheritance() -> None:
    two = ["enquiry", "complaint"]
    with pytest.raises(TaxonomyError, match="differs from its parent's"):
        taxonomy_from_dict(
            _tax(
                {"key": "billing", "kind": "enquiry", "examples": ["a"]},
                {"key": "wrong", "kind": "complaint", "parent": "billing", "examples": ["b"]},
                kinds=two,
            )
        )
    tax = taxonomy_from_dict(
        _tax(
            {"key": "billing", "kind": "enquiry"},
            {"key": "refund", "parent": "billing", "examples": ["b"]},
            kinds=two,
        )
    )
    assert tax.get("refund").kind == "enquiry"  # type: ignore[union-attr]
    assert tax.path("refund") == ("billing", "refund")
    with pytest.raises(TaxonomyError, match="no kind"):
        taxonomy_from_dict(_tax({"key": "orphan", "examples": ["a"]}, kinds=two))


def test_a_parent_with_children_needs_no_examples_and_round_trips() -> None:
    data = _tax(
        {"key": "delivery", "description": "Anything about delivery."},
        {
            "key": "late",
            "parent": "delivery",
            "examples": ["still not here"],
            "rule": {
                "any": ["late"],
                "none": ["early"],
                "near": {"terms": ["refund", "delay"], "within": 5},
                "speaker": "customer",
                "window": {"first_turns": 4},
            },
            "threshold": 0.6,
        },
    )
    tax = taxonomy_from_dict(data)
    assert taxonomy_from_dict(taxonomy_to_dict(tax)) == tax
    rule = tax.get("late").rule  # type: ignore[union-attr]
    assert rule is not None and rule.first_turns == 4 and rule.near_within == 5


def test_files_load_and_unreadable_files_fail_in_one_line(tmp_path: Path) -> None:
    assert len(load_taxonomy(DATA / "banking77_taxonomy.yaml").tags) == 77
    demo = demo_taxonomy()
    assert set(demo.kinds) == {"enquiry", "complaint"} and demo.version
    bad = tmp_path / "bad.yaml"
    bad.write_text("kinds: [a\ntags: [", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="cannot parse taxonomy") as info:
        load_taxonomy(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(TaxonomyError, match="cannot read taxonomy"):
        load_taxonomy(tmp_path / "missing.yaml")
    as_json = tmp_path / "t.json"
    as_json.write_text('{"kinds": ["k"], "tags": [{"key": "a", "examples": ["x"]}]}', "utf-8")
    assert load_taxonomy(as_json).tags[0].kind == "k"
