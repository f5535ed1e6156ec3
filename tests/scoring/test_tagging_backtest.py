"""Back-test counts on a seeded history: who gains and who loses each changed tag."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import backtest, taxonomy_from_dict, taxonomy_to_dict
from tests.scoring.test_tagging_tagger import fake_encode, taxonomy

HISTORY = (
    ["I was charged twice for one order"] * 30
    + ["you took a double charge from my card"] * 10
    + ["the router lights are orange today"] * 20
    + ["lovely weather at the seaside"] * 40
)


@pytest.fixture(scope="module")
def stored() -> np.ndarray:
    return fake_encode(HISTORY)  # what the app stored at ingest


def _edit(change) -> object:  # type: ignore[no-untyped-def]
    data = taxonomy_to_dict(taxonomy())
    change(data)
    return taxonomy_from_dict(data)


def test_changed_added_and_dropped_tags_count_gains_and_losses(stored: np.ndarray) -> None:
    def change(data: dict) -> None:
        tags = {t["key"]: t for t in data["tags"]}
        tags["billing_error"]["rule"]["any"].append("double charge")
        tags["router"]["examples"] = ["the tv box is frozen"]
        data["tags"].append({"key": "weather", "kind": "enquiry", "examples": ["lovely weather"]})

    old, new = taxonomy(), _edit(change)
    ids = [f"h{n}" for n in range(len(HISTORY))]
    report = backtest(old, new, stored, HISTORY, ids=ids, encode=fake_encode)
    assert report.items == 100
    changes = {c.tag: c for c in report.changes}
    assert set(changes) == {"billing_error", "router", "weather"}
    assert (changes["billing_error"].status, changes["billing_error"].gained) == ("changed", 10)
    assert changes["billing_error"].lost == 0
    assert (changes["billing_error"].before, changes["billing_error"].after) == (30, 40)
    assert changes["billing_error"].gained_sample == ("h30", "h31", "h32", "h33", "h34")
    assert (changes["router"].gained, changes["router"].lost) == (0, 20)
    assert changes["router"].lost_sample[0] == "h40"
    assert (changes["weather"].status, changes["weather"].gained) == ("added", 40)
    assert [c.tag for c in report.changes][0] == "weather"  # most moved first


def test_removed_tag_loses_everything_and_no_change_reports_nothing(stored: np.ndarray) -> None:
    def drop(data: dict) -> None:
        data["tags"] = [t for t in data["tags"] if t["key"] != "billing_error"]

    steps: list[tuple[str, int, int]] = []
    report = backtest(
        taxonomy(),
        _edit(drop),
        stored,
        HISTORY,
        encode=fake_encode,
        progress=lambda *s: steps.append(s),
    )
    assert steps == [("published", 1, 3), ("draft", 2, 3), ("compare", 3, 3)]
    (change,) = report.changes
    assert (change.tag, change.status, change.lost, change.after) == (
        "billing_error",
        "removed",
        30,
        0,
    )
    assert backtest(taxonomy(), taxonomy(), stored, HISTORY, encode=fake_encode).changes == ()


def test_history_is_never_re_encoded(stored: np.ndarray) -> None:
    encoded: list[str] = []

    def spy(texts):  # type: ignore[no-untyped-def]
        encoded.extend(texts)
        return fake_encode(texts)

    backtest(taxonomy(), taxonomy(), stored, HISTORY, encode=spy)
    assert not set(encoded) & set(HISTORY)


def test_segment_lists_per_item_and_length_mismatch(stored: np.ndarray) -> None:
    texts = [["hello there", "I was charged twice for one order"], ["lovely weather"]]
    vectors = [fake_encode(texts[0]), fake_encode(texts[1])]
    swapped = taxonomy_from_dict(
        {**taxonomy_to_dict(taxonomy()), "tags": taxonomy_to_dict(taxonomy())["tags"][:-2]}
    )
    report = backtest(taxonomy(), swapped, vectors, texts, encode=fake_encode)
    lost = {c.tag: c.lost_sample for c in report.changes}
    assert lost["billing_error"] == ("0",)
    with pytest.raises(ValueError, match="100 embedding rows for 3 items"):
        backtest(taxonomy(), taxonomy(), stored, HISTORY[:3], encode=fake_encode)
