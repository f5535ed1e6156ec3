"""Each built-in criterion on small hand-written conversations that pin its behaviour."""

from __future__ import annotations

import pytest

from scoring import Interaction, ScoringContext, Turn, default_rubric, interaction_from_text, score
from scoring.registry import CriterionInput, get_scorer


def _text(body: str, interaction_id: str = "t", agent: str | None = None) -> Interaction:
    header = f"# agent: {agent}\n" if agent else ""
    return interaction_from_text(header + body, default_id=interaction_id)


def _run(criterion: str, interaction: Interaction, batch=(), context=None):  # type: ignore[no-untyped-def]
    spec = default_rubric().criterion(criterion)
    scorer = get_scorer(spec.type)
    return scorer.fn(
        CriterionInput(interaction, spec.settings, tuple(batch), context or ScoringContext())
    )


def _timed(lines: list[tuple[str, float, float, str]], interaction_id: str = "call") -> Interaction:
    turns = tuple(Turn(i, who, text, start, end) for i, (who, start, end, text) in enumerate(lines))
    return Interaction(interaction_id, turns)


def test_missed_empathy_opportunity_is_reported_with_evidence() -> None:
    call = _text(
        "Agent: Hello, how can I help?\n"
        "Customer: My card was stolen yesterday and I'm really worried about my savings.\n"
        "Agent: Card number please.\n"
        "Customer: 4242.\n"
        "Agent: The card is blocked.\n"
    )
    result = _run("empathy", call)
    assert result.score is not None and result.score < 0.3
    assert result.label == "0 of 1 opportunities shown"
    assert any("missed" in e.reason and e.segment == 1 for e in result.evidence)


def test_empathy_shown_scores_high_and_cites_the_reply() -> None:
    call = _text(
        "Agent: Hello, how can I help?\n"
        "Customer: My card was stolen yesterday and I'm really worried about my savings.\n"
        "Agent: I'm so sorry, that must be really stressful. Don't worry, I'll make sure your "
        "savings are safe: the card is blocked now.\n"
    )
    result = _run("empathy", call)
    assert result.score is not None and result.score >= 0.8
    assert any(e.segment == 2 and "empathy shown" in e.reason for e in result.evidence)


def test_empathy_not_applicable_without_opportunity() -> None:
    call = _text("Agent: Hi, how can I help?\nCustomer: What time do you open?\nAgent: At nine.\n")
    assert _run("empathy", call).score is None


def test_dismissive_language_counts_against() -> None:
    kind = _text(
        "Customer: This is ridiculous, I was charged twice!\n"
        "Agent: I understand how annoying that is, sorry. Let me fix it.\n"
    )
    rude = _text(
        "Customer: This is ridiculous, I was charged twice!\n"
        "Agent: Calm down, that's just our policy, there's nothing I can do.\n"
    )
    kind_score = _run("empathy", kind).score
    rude_result = _run("empathy", rude)
    assert kind_score is not None and rude_result.score is not None
    assert rude_result.score < kind_score
    assert any("dismissive" in e.reason for e in rude_result.evidence)


def test_resolved_call() -> None:
    call = _text(
        "Customer: My internet has been down since this morning.\n"
        "Agent: I've reset your line from here; please restart the router.\n"
        "Customer: It works now, thank you so much!\n"
    )
    result = _run("resolution", call)
    assert result.label == "resolved"
    assert result.score is not None and result.score >= 0.7
    reasons = " ".join(e.reason for e in result.evidence)
    assert "agent action" in reasons and "customer confirmed" in reasons


def test_unresolved_call_is_scored_below_resolved_one() -> None:
    resolved = _text(
        "Customer: My internet has been down since this morning.\n"
        "Agent: I've reset your line; please restart the router.\n"
        "Customer: It works now, thanks!\n"
    )
    unresolved = _text(
        "Customer: My internet has been down since this morning.\n"
        "Agent: Please restart the router.\n"
        "Customer: I did, it still doesn't work. Why is this so useless?\n"
    )
    low = _run("resolution", unresolved)
    high = _run("resolution", resolved)
    assert low.label == "unresolved"
    assert low.score is not None and high.score is not None and low.score < high.score - 0.3


def test_escalation_and_callback_outcomes() -> None:
    escalated = _text(
        "Customer: I want compensation for the outage.\n"
        "Agent: I'll transfer you to our billing specialist team now.\n"
    )
    callback = _text(
        "Customer: The engineer never came.\n"
        "Agent: I'll call you back within 24 hours with a new slot.\n"
    )
    assert _run("resolution", escalated).label == "escalated"
    assert _run("resolution", callback).label == "callback"


def test_repeat_contact_lowers_resolution_and_says_why() -> None:
    call = _text(
        "Customer: My internet is down.\n"
        "Agent: I've reset your line.\n"
        "Customer: Great, it works now, thanks!\n",
        interaction_id="c1",
    )
    alone = _run("resolution", call)
    again = _run("resolution", call, context=ScoringContext(repeat_contact_days={"c1": 3}))
    later = _run("resolution", call, context=ScoringContext(repeat_contact_days={"c1": 30}))
    assert again.score is not None and alone.score is not None
    assert again.score < alone.score and later.score == alone.score
    assert any("contacted again after 3 days" in e.reason for e in again.evidence)


CANNED = "Thank you for your patience, our team is looking into this and will update you shortly."


def test_canned_line_repeated_across_calls_of_one_agent_is_flagged() -> None:
    first = _text(
        f"Customer: My parcel is late.\nAgent: {CANNED}\n", interaction_id="a", agent="ann"
    )
    second = _text(
        "Customer: The app crashes when I log in.\n"
        f"Agent: {CANNED.replace('shortly', 'very shortly')}\n",
        interaction_id="b",
        agent="ann",
    )
    other_agent = _text(
        f"Customer: Where is my refund?\nAgent: {CANNED}\n", interaction_id="c", agent="bob"
    )
    batch = (first, second, other_agent)
    result = _run("scripted_phrasing", second, batch=batch)
    assert result.score == 0.0
    assert any("near-identical" in e.reason for e in result.evidence)
    # a different agent saying the same thing is not the same agent's repetition
    alone = _run("scripted_phrasing", other_agent, batch=batch)
    assert not any("near-identical" in e.reason for e in alone.evidence)


def test_expected_phrases_are_not_held_against_the_agent() -> None:
    opening = "Thank you for calling Northwind, my name is Sam, how can I help you today?"
    calls = [
        _text(f"Agent: {opening}\nCustomer: Hi.\n", interaction_id=str(i), agent="sam")
        for i in range(3)
    ]
    result = _run("scripted_phrasing", calls[0], batch=calls)
    assert result.score == 1.0


def test_specific_reply_is_natural_and_generic_reply_is_flagged() -> None:
    specific = _text(
        "Customer: My March invoice shows a roaming charge from Spain but I never left London.\n"
        "Agent: I see a 12 pound roaming charge from Spain on March 3rd; I've removed it from "
        "the March invoice.\n"
    )
    generic = _text(
        "Customer: My March invoice shows a roaming charge from Spain but I never left London.\n"
        "Agent: We are sorry for the inconvenience and thank you for your understanding.\n"
    )
    assert _run("scripted_phrasing", specific).score == 1.0
    flagged = _run("scripted_phrasing", generic)
    assert flagged.score == 0.0
    assert any("generic" in e.reason or "canned" in e.reason for e in flagged.evidence)


def test_compliant_call_with_asr_typos_in_disclosure_passes() -> None:
    call = _timed(
        [
            (
                "agent",
                0.0,
                6.0,
                "Thanks for calling, this call maybe recorded for quality in "
                "training purposes. How can I help?",
            ),
            ("customer", 6.5, 9.0, "Hi, I need to change my address."),
            ("agent", 9.5, 12.0, "Sure, I've updated it."),
        ]
    )
    result = _run("disclosure", call)
    assert result.score == 1.0 and result.label == "disclosed"
    assert result.evidence[0].segment == 0


def test_missing_or_late_disclosure() -> None:
    missing = _timed([("agent", 0.0, 3.0, "Hello, how can I help?"), ("customer", 3, 5, "Hi.")])
    late = _timed(
        [
            ("agent", 0.0, 3.0, "Hello, how can I help?"),
            ("customer", 3.0, 80.0, "I have a long story to tell you about my bill."),
            (
                "agent",
                90.0,
                95.0,
                "Before we go on, this call may be recorded for quality and training purposes.",
            ),
        ]
    )
    assert _run("disclosure", missing).score == 0.0
    assert _run("disclosure", late).label == "disclosed late"


def test_missing_critical_disclosure_auto_fails_the_total() -> None:
    call = _timed(
        [
            ("agent", 0.0, 3.0, "Hello, my name is Sam, how can I help?"),
            ("customer", 3.0, 5.0, "My bill is wrong."),
            ("agent", 5.0, 9.0, "I've corrected the bill."),
        ]
    )
    sheet = score([call])[0]
    assert sheet.auto_fail is True and sheet.total == 0.0
    assert sheet.criteria["disclosure"].score == 0.0


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("Good morning, my name is Sam, how can I help you?", 1.0),
        ("Good morning.", 0.5),
        ("Account number?", 0.0),
    ],
)
def test_greeting(opening: str, expected: float) -> None:
    call = _text(f"Agent: {opening}\nCustomer: Hello.\n")
    assert _run("greeting", call).score == expected


def test_greeting_does_not_match_inside_words() -> None:
    call = _text("Agent: This thing is ready.\nCustomer: Ok.\n")
    assert _run("greeting", call).score == 0.0


def test_closing() -> None:
    good = _text("Customer: Thanks.\nAgent: Is there anything else I can help with? Take care!\n")
    bad = _text("Customer: Thanks.\nAgent: Ok.\n")
    assert _run("closing", good).score == 1.0
    assert _run("closing", bad).score == 0.0
