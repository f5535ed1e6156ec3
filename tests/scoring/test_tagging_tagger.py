"""The tagger: rules and similarity combined, roll-up to parents, primary per kind, evidence.

Most tests use a deterministic bag-of-words encoder, so they check the tagger's logic without
the model; the ``models`` tests run the real encoder on the shipped demo taxonomy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from scoring import Interaction, Turn, demo_taxonomy, tag
from scoring.tagging_core import Tagger
from scoring.tagging_rules import stem_tokens
from scoring.taxonomy import taxonomy_from_dict


def fake_encode(texts: Sequence[str]) -> np.ndarray:
    """Sum of a fixed random vector per stemmed word: same words, same direction."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in stem_tokens(text):
            rng = np.random.default_rng(zlib.crc32(word.encode()))
            out[row] += rng.standard_normal(384).astype(np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-12, None)


def taxonomy(**overrides: dict) -> object:
    tags = [
        {"key": "billing", "kind": "enquiry", "description": "Bills and payments."},
        {
            "key": "payment_date",
            "parent": "billing",
            "examples": ["move my payment date please", "collect the direct debit later"],
        },
        {"key": "invoice", "parent": "billing", "examples": ["explain this invoice line"]},
        {"key": "router", "kind": "enquiry", "examples": ["my router lights are orange"]},
        {
            "key": "cancellation",
            "kind": "enquiry",
            "examples": ["cancel my contract"],
            "rule": {"any": ["cancel"], "none": ["engineer"]},
        },
        {"key": "billing_error", "kind": "complaint", "rule": {"any": ["charged twice"]}},
        {"key": "rude_staff", "kind": "complaint", "examples": ["your agent was rude to me"]},
    ]
    for tag_def in tags:
        tag_def.update(overrides.get(tag_def["key"], {}))
    return taxonomy_from_dict({"version": "v7", "kinds": ["enquiry", "complaint"], "tags": tags})


def item(text: str, item_id: str = "i") -> Interaction:
    return Interaction(item_id, (Turn(0, "unknown", text),), source="item")


def run(texts: list[str], **overrides: dict) -> list:
    return Tagger(taxonomy(**overrides), fake_encode).tag(
        [item(t, str(n)) for n, t in enumerate(texts)]
    )


def test_semantic_match_rolls_up_to_the_parent_and_sets_primary() -> None:
    (result,) = run(["move my payment date please"])
    by_tag = {m.tag: m for m in result.tags}
    assert by_tag["payment_date"].confidence > 0.9
    assert by_tag["payment_date"].path == ("billing", "payment_date")
    assert by_tag["billing"].confidence >= by_tag["payment_date"].confidence
    assert result.primary == {"enquiry": "payment_date", "complaint": None}
    assert result.taxonomy_version == "v7"
    evidence = by_tag["payment_date"].evidence[0]
    assert evidence.segment is None  # a one-piece text has no segment ids
    assert evidence.why.startswith("like example 'move my payment date please' (1.00)")
    assert "payment_date:" in by_tag["billing"].evidence[0].why


def test_rule_match_gives_a_confident_tag_with_its_phrase() -> None:
    (result,) = run(["I was CHARGED TWICE this month"])
    match = next(m for m in result.tags if m.tag == "billing_error")
    assert match.confidence >= 0.9
    assert match.evidence[0].why == "phrase 'charged twice'"
    assert result.primary["complaint"] == "billing_error"


def test_nothing_close_abstains() -> None:
    (result,) = run(["lovely weather at the seaside today"])
    assert result.tags == ()
    assert result.primary == {"enquiry": None, "complaint": None}


def test_per_tag_threshold_and_the_deepest_confident_level() -> None:
    (loose,) = run(["can you move my payment"])
    assert loose.primary["enquiry"] == "payment_date"
    (strict,) = run(["can you move my payment"], payment_date={"threshold": 0.6})
    assert "payment_date" not in {m.tag for m in strict.tags}
    assert strict.primary["enquiry"] == "billing"  # the parent is still confident


def test_none_phrase_vetoes_rule_and_similarity() -> None:
    plain, vetoed = run(["cancel my contract", "cancel my contract and the engineer"])
    assert "cancellation" in {m.tag for m in plain.tags}
    assert "cancellation" not in {m.tag for m in vetoed.tags}


def test_conversations_match_customer_turns_and_cite_segment_ids() -> None:
    call = Interaction(
        "c1",
        (
            Turn(0, "agent", "your agent was rude to me"),  # the agent's words never count
            Turn(1, "customer", "hello"),
            Turn(2, "customer", "my router lights are orange"),
        ),
    )
    (result,) = Tagger(taxonomy(), fake_encode).tag([call])
    assert [m.tag for m in result.tags] == ["router"]
    assert result.tags[0].evidence[0].segment == 2


def test_stored_vectors_skip_encoding_items() -> None:
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return fake_encode(texts)

    tagger = Tagger(taxonomy(), counting)
    items = [item("move my payment date please"), item("charged twice")]
    stored = [fake_encode(["move my payment date please"]), fake_encode(["charged twice"])]
    with_vectors = tagger.tag(items, stored)
    assert calls == [6]  # only the examples (and their tags' descriptions) were encoded
    assert [r.to_dict() for r in with_vectors] == [r.to_dict() for r in tagger.tag(items)]


def test_rules_only_taxonomy_never_loads_the_encoder() -> None:
    def refuse(texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("encoder used")

    rules_only = taxonomy_from_dict(
        {"kinds": ["complaint"], "tags": [{"key": "twice", "rule": {"any": ["charged twice"]}}]}
    )
    (result,) = Tagger(rules_only, refuse).tag([item("charged twice!")])
    assert result.primary == {"complaint": "twice"}


def test_suggestions_for_a_reviewer_comment_rank_specific_tags_first() -> None:
    tagger = Tagger(taxonomy(), fake_encode)
    suggestions = tagger.suggest("customer asked to move my payment date", limit=3)
    assert [key for key, _ in suggestions[:2]] == ["payment_date", "billing"]
    assert suggestions[0][1] >= suggestions[-1][1]
    assert all(conf < 0.1 for _, conf in tagger.suggest("zzz qqq", limit=3))


@pytest.mark.models
def test_demo_taxonomy_with_the_real_encoder() -> None:
    demo = demo_taxonomy()
    billing = Interaction(
        "billing",
        (
            Turn(0, "agent", "Thank you for calling Northwind, how can I help?"),
            Turn(1, "customer", "Hi, I was charged twice for my March invoice, I'm frustrated."),
        ),
    )
    wifi = Interaction(
        "wifi",
        (
            Turn(0, "customer", "My broadband keeps cutting out every night."),
            Turn(1, "agent", "Have you restarted the router?"),
            Turn(2, "customer", "Yes, I have done that five times already."),
        ),
    )
    results = tag([billing, wifi, item("What a lovely sunny afternoon in the park.")], demo)
    assert results[0].primary["complaint"] == "billing_error"
    assert results[1].primary["enquiry"] in {"technical_support", "connection_problem"}
    assert results[1].primary["complaint"] == "repeated_fault"
    assert results[2].tags == () and set(results[2].primary.values()) == {None}
    semantic = [e for m in results[1].tags for e in m.evidence if "like example" in e.why]
    assert semantic and all(e.segment in {0, 2} for e in semantic)
