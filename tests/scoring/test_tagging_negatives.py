"""Negative examples: text a reviewer rejected for a tag stops matching it, nothing else moves."""

from __future__ import annotations

import pytest

from scoring import Interaction, Turn, demo_taxonomy
from scoring.tagging_core import Tagger
from scoring.taxonomy import TaxonomyError, taxonomy_from_dict, taxonomy_to_dict
from tests.scoring.test_tagging_tagger import fake_encode

BASE = {
    "kinds": ["complaint"],
    "tags": [
        {
            "key": "late_delivery",
            "examples": ["my parcel has not arrived", "the delivery is late again"],
        },
        {"key": "rude_staff", "examples": ["the driver was rude to me"]},
    ],
}
REJECTED = "the delivery van was parked late at night"


def with_negatives(*negatives: str) -> dict:
    tags = [dict(t) for t in BASE["tags"]]
    tags[0]["negative_examples"] = list(negatives)
    return {**BASE, "tags": tags}


def chat(*texts: str) -> Interaction:
    return Interaction("c1", tuple(Turn(i, "customer", t) for i, t in enumerate(texts)))


def confidence(data: dict, item: Interaction, key: str) -> float:
    tagger = Tagger(taxonomy_from_dict(data), fake_encode)
    return float(tagger.score([item]).confidence[0, tagger.keys.index(key)])


def test_negative_examples_round_trip_through_the_file_format() -> None:
    parsed = taxonomy_from_dict(with_negatives(REJECTED))
    assert parsed.get("late_delivery").negatives == (REJECTED,)
    assert parsed.get("rude_staff").negatives == ()
    written = taxonomy_to_dict(parsed)
    assert written["tags"][0]["negative_examples"] == [REJECTED]
    assert "negative_examples" not in written["tags"][1]
    assert taxonomy_from_dict(written) == parsed


def test_bad_negative_examples_name_the_tag() -> None:
    with pytest.raises(TaxonomyError, match="late_delivery.*negative_examples"):
        taxonomy_from_dict(with_negatives(""))


def test_a_segment_like_a_negative_no_longer_counts_for_the_tag() -> None:
    item = chat(REJECTED)
    before = confidence(BASE, item, "late_delivery")
    after = confidence(with_negatives(REJECTED), item, "late_delivery")
    assert before > 0.2  # shares 'delivery' and 'late' with the examples
    assert after == 0.0


def test_text_closer_to_the_examples_still_matches() -> None:
    item = chat("my parcel has not arrived and the delivery is late")
    before = confidence(BASE, item, "late_delivery")
    after = confidence(with_negatives(REJECTED), item, "late_delivery")
    assert after == pytest.approx(before)
    assert after >= 0.5


def test_a_negative_only_silences_its_own_segment_and_tag() -> None:
    item = chat(REJECTED, "my parcel has not arrived")
    data = with_negatives(REJECTED)
    assert confidence(data, item, "late_delivery") == pytest.approx(
        confidence(BASE, chat("my parcel has not arrived"), "late_delivery")
    )
    rude = chat("the driver was rude to me at night")
    assert confidence(data, rude, "rude_staff") == pytest.approx(
        confidence(BASE, rude, "rude_staff")
    )


def test_evidence_never_quotes_a_vetoed_segment() -> None:
    tagger = Tagger(taxonomy_from_dict(with_negatives(REJECTED)), fake_encode)
    [result] = tagger.tag([chat(REJECTED, "my parcel has not arrived")])
    match = next(m for m in result.tags if m.tag == "late_delivery")
    assert [e.segment for e in match.evidence] == [1]


@pytest.mark.models
def test_real_encoder_a_rejected_phrasing_stops_matching() -> None:
    """With the shipped encoder: a tagged sentence, once rejected, is no longer tagged."""
    data = taxonomy_to_dict(demo_taxonomy())
    tagger = Tagger(taxonomy_from_dict(data))
    item = chat("the courier left a note saying delivery is tomorrow at noon, all fine")
    scored = tagger.score([item]).confidence[0]
    key = max(
        (t["key"] for t in data["tags"] if t.get("examples")),
        key=lambda k: scored[tagger.keys.index(k)],
    )
    assert scored[tagger.keys.index(key)] > 0.05
    tag = next(t for t in data["tags"] if t["key"] == key)
    tag["negative_examples"] = [item.turns[0].text]
    vetoed = Tagger(taxonomy_from_dict(data)).score([item]).confidence[0]
    assert vetoed[tagger.keys.index(key)] == 0.0
