"""Every rule feature: any, all, none, near, speaker, window, stemming and word boundaries."""

from __future__ import annotations

import pytest

from scoring.tagging_rules import RuleRunner, excluded, match_rule, stem, stem_tokens
from scoring.taxonomy import Rule
from scoring.types import Interaction, Turn

CALL = (
    Turn(0, "agent", "Thanks for calling, how can I help?", 0.0, 4.0),
    Turn(1, "customer", "My parcel still hasn't arrived and I want a refund.", 4.5, 9.0),
    Turn(2, "agent", "Sorry about the delay, I can issue a refund now.", 9.5, 14.0),
    Turn(3, "customer", "It was Charged twice as well.", 70.0, 75.0),
    Turn(4, "agent", "I will cancel the second charge today.", 76.0, 80.0),
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("charged", "charg"),
        ("charges", "charg"),
        ("charging", "charg"),
        ("charge", "charg"),
        ("refunds", "refund"),
        ("refunded", "refund"),
        ("stopped", "stop"),
        ("billing", "bill"),
        ("deliveries", "delivery"),
        ("bus", "bus"),
    ],
)
def test_stemming(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_contractions_expand_so_not_phrases_match() -> None:
    assert stem_tokens("hasn't ARRIVED") == ("has", "not", "arriv")


def test_any_matches_stemmed_phrases_case_insensitively_on_word_boundaries() -> None:
    hits = match_rule(Rule(any=("not arrive", "charge twice")), CALL)
    assert hits is not None
    assert [h.segment for h in hits] == [1, 3]
    assert hits[0].why == "phrase 'not arrive'"
    assert match_rule(Rule(any=("fun",)), CALL) is None  # 'refund' holds 'fun', not the word
    assert match_rule(Rule(any=("arrived today",)), CALL) is None


def test_all_needs_every_phrase_somewhere() -> None:
    assert match_rule(Rule(all=("parcel", "charged")), CALL) is not None
    assert match_rule(Rule(all=("parcel", "voucher")), CALL) is None


def test_none_vetoes_the_rule_and_names_the_phrase() -> None:
    assert match_rule(Rule(any=("refund",), none=("cancel",)), CALL) is None
    assert excluded(Rule(any=("refund",), none=("cancel",)), CALL) == "cancel"
    assert excluded(Rule(any=("refund",), none=("voucher",)), CALL) is None
    # the veto reads only the turns the rule reads: the agent said 'cancel', not the customer
    assert match_rule(Rule(any=("refund",), none=("cancel",), speaker="customer"), CALL)


def test_near_needs_the_terms_within_n_words_in_one_turn() -> None:
    hits = match_rule(Rule(near_terms=("parcel", "refund"), near_within=10), CALL)
    assert hits is not None and [h.segment for h in hits] == [1]
    assert "within 10 words" in hits[0].why
    assert match_rule(Rule(near_terms=("parcel", "refund"), near_within=3), CALL) is None
    # 'delay' and 'refund' are both in turn 2, 'parcel' never with 'delay'
    assert match_rule(Rule(near_terms=("parcel", "delay"), near_within=50), CALL) is None


def test_speaker_restricts_the_turns_read() -> None:
    assert [h.segment for h in match_rule(Rule(any=("refund",)), CALL) or []] == [1, 2]
    customer = match_rule(Rule(any=("refund",), speaker="customer"), CALL)
    agent = match_rule(Rule(any=("refund",), speaker="agent"), CALL)
    assert [h.segment for h in customer or []] == [1]
    assert [h.segment for h in agent or []] == [2]
    assert match_rule(Rule(any=("charged twice",), speaker="agent"), CALL) is None


def test_windows_by_seconds_and_turns() -> None:
    assert match_rule(Rule(any=("charged",), first_s=60), CALL) is None
    assert match_rule(Rule(any=("refund",), first_s=60), CALL) is not None
    last = match_rule(Rule(any=("charge",), last_s=15), CALL)
    assert [h.segment for h in last or []] == [3, 4]
    assert match_rule(Rule(any=("parcel",), last_s=15), CALL) is None
    assert match_rule(Rule(any=("charged",), first_turns=3), CALL) is None
    assert match_rule(Rule(any=("parcel",), first_turns=2), CALL) is not None


def test_text_without_times_or_parties_is_read_by_every_window_and_speaker() -> None:
    post = (Turn(0, "unknown", "Charged twice again, want a refund"),)
    rule = Rule(any=("charged twice",), speaker="customer", first_s=10, last_s=5)
    assert match_rule(rule, post) is not None


def test_runner_over_many_items_agrees_with_each_item_alone() -> None:
    items = [
        Interaction("a", CALL),
        Interaction("b", (Turn(0, "customer", "refund my order please, it came early"),)),
        Interaction("c", (Turn(0, "customer", "nothing relevant"),)),
    ]
    rules = [
        Rule(any=("refund",), none=("early",)),
        Rule(all=("parcel", "charged")),
        Rule(near_terms=("refund", "order"), near_within=3),
        Rule(any=("charged twice",), speaker="agent"),
    ]
    runner = RuleRunner(items)
    for rule in rules:
        outcome = runner.outcome(rule)
        for n, interaction in enumerate(items):
            assert outcome.hits.get(n) == match_rule(rule, interaction.turns)
            assert outcome.vetoes.get(n) == (
                excluded(rule, interaction.turns) if rule.none else None
            )
    assert runner.outcome(rules[0]) is runner.outcome(rules[0])  # kept, not re-run
    assert runner.outcome(rules[0]).vetoes == {1: "early"}
