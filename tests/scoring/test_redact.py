"""PII redaction: spoken and written forms as ASR writes them, false friends, bleep times."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest

from scoring.redact import PiiSpan, Redaction, redact_segment, redact_text
from scoring.redact_eval import evaluate_redaction
from tests.conftest import shared_data

DATA = Path(__file__).resolve().parent.parent / "data" / "scoring" / "redaction"


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line]


def _kinds(text: str, context: str = "") -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in redact_text(text, context).spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is four one one one, one one one one, one one one one, one one one one.",
         "four one one one, one one one one, one one one one, one one one one"),
        ("Forty one eleven, eleven eleven, eleven eleven, eleven eleven.",
         "Forty one eleven, eleven eleven, eleven eleven, eleven eleven"),
        ("It's four oh one two, double eight double eight, double eight double eight, one eight "
         "eight one", "four oh one two, double eight double eight, double eight double eight, "
         "one eight eight one"),
        ("Amex: three seven eight two, eight two two four six three, one triple oh five",
         "three seven eight two, eight two two four six three, one triple oh five"),
        ("The number is 45 39 57 87 63 62 14 86.", "45 39 57 87 63 62 14 86"),
    ],
)  # fmt: skip
def test_card_numbers_in_spoken_and_grouped_forms(text: str, expected: str) -> None:
    assert _kinds(text) == [("CARD", expected)]


def test_card_needs_luhn_unless_a_card_cue_precedes_it() -> None:
    assert _kinds("It's 4111 1111 1111 1112.") == []  # Luhn fails, no cue
    assert _kinds("My card number is 4111 1111 1111 1112.") == [("CARD", "4111 1111 1111 1112")]
    assert _kinds("It's 4111 1111 1111 1111.") == [("CARD", "4111 1111 1111 1111")]


def test_order_and_reference_numbers_are_not_cards_even_when_luhn_valid() -> None:
    assert _kinds("Your order number is 4111 1111 1111 1111.") == []
    assert _kinds("Reference 8823 1104 7556 9021.") == []  # Luhn-valid, but no issuer starts 8


def test_security_code_only_after_its_cue_and_cue_may_be_in_the_previous_turn() -> None:
    assert _kinds("The three digits on the back are seven eight nine.") == [
        ("CVV", "seven eight nine")
    ]
    assert _kinds("It's 7-3-7.") == []
    assert _kinds("It's 7-3-7.", context="And the security code on the back?") == [("CVV", "7-3-7")]
    assert _kinds("The security code expired, it's been more than 10 minutes.") == []


def test_social_security_numbers() -> None:
    assert _kinds("Social's oh seven eight, oh five, eleven twenty.") == [
        ("SSN", "oh seven eight, oh five, eleven twenty")
    ]
    assert _kinds("The last four of my social are four four three two.") == [
        ("SSN", "four four three two")
    ]
    assert _kinds("Here: 321-54-9876.") == [("SSN", "321-54-9876")]
    assert _kinds("The part number is 123-45-6789.") == []


def test_emails_written_and_spoken() -> None:
    assert _kinds("It's j smith eighty five at yahoo dot com.") == [
        ("EMAIL", "j smith eighty five at yahoo dot com")
    ]
    assert _kinds("You can email me at mike dot jones at gmail dot com.") == [
        ("EMAIL", "mike dot jones at gmail dot com")
    ]
    assert _kinds("Yeah, john.smith at gmail.com is fine.") == [
        ("EMAIL", "john.smith at gmail.com")
    ]
    assert _kinds("I looked at amazon dot com and it was cheaper.") == []
    assert _kinds("See https://web.archive.org/web/20200401225851/https://x.com") == []


def test_phone_numbers_spoken_and_written() -> None:
    assert _kinds("It's eight hundred, five five five, one two one two.") == [
        ("PHONE", "eight hundred, five five five, one two one two")
    ]
    assert _kinds("You can also call me on double 5-5-1-2-3-4-5-6-7.") == [
        ("PHONE", "double 5-5-1-2-3-4-5-6-7")
    ]
    assert _kinds("My work phone is 555 0199.") == [("PHONE", "555 0199")]
    assert _kinds("Your confirmation number is 7 3 9 5 0 1 8 2 6 4.") == []


def test_dates_of_birth_only_after_their_cue() -> None:
    assert _kinds("I was born on the fifteenth of July, nineteen seventy two.") == [
        ("DOB", "fifteenth of July, nineteen seventy two")
    ]
    assert _kinds("My date of birth, oh four, twelve, ninety.") == [
        ("DOB", "oh four, twelve, ninety")
    ]
    assert _kinds("I ordered two of them on March 3rd, 1985.") == []
    assert _kinds("My dog was born on a farm.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The total comes to $1,249.99 including tax.",
        "I called at 3:30 and again at 4:15.",
        "It costs forty nine ninety nine a month.",
        "It was about two hundred and fifty dollars.",
        "Oh, okay, one second, let me find it.",
        "Press one for billing, two for support.",
    ],
)
def test_prices_times_and_quantities_stay(text: str) -> None:
    assert redact_text(text) == Redaction(text, ())


def test_redacted_text_uses_typed_placeholders_and_offsets() -> None:
    text = "Card 4111 1111 1111 1111, expiry 09/27, CVV 737, email dana dot wu at gmail dot com."
    result = redact_text(text)
    assert result.text == "Card [CARD], expiry 09/27, CVV [CVV], email [EMAIL]."
    assert [text[s.start : s.end] for s in result.spans] == [s.text for s in result.spans]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.spans[0].kind = "PHONE"  # type: ignore[misc]


def test_redact_segment_gives_word_time_spans_to_bleep() -> None:
    words = [
        {"start": 0.0, "end": 0.3, "word": " My", "probability": 0.9},
        {"start": 0.3, "end": 0.6, "word": " number", "probability": 0.9},
        {"start": 0.6, "end": 0.8, "word": " is", "probability": 0.9},
        {"start": 0.8, "end": 1.4, "word": " 415,", "probability": 0.9},
        {"start": 1.5, "end": 2.1, "word": " 555,", "probability": 0.9},
        {"start": 2.2, "end": 3.0, "word": " 0132.", "probability": 0.9},
        {"start": 3.1, "end": 3.4, "word": " Thanks.", "probability": 0.9},
    ]
    result = redact_segment(words)
    assert result.text == "My number is [PHONE]. Thanks."
    assert [(b.kind, b.start, b.end, b.words) for b in result.bleeps] == [
        ("PHONE", 0.8, 3.0, (3, 4, 5))
    ]
    assert result.spans == (PiiSpan("PHONE", 13, 27, "415, 555, 0132"),)


def test_redact_segment_on_real_faster_whisper_words() -> None:
    """Words written by faster-whisper (base) for a synthesized caller reading a card number."""
    case = next(c for c in _load("asr_words.jsonl") if c["id"] == "base-00")
    result = redact_segment(case["words"], case["context"])
    assert result.text == "My card number is [CARD]"
    (bleep,) = result.bleeps
    card_word = case["words"][-1]
    assert (bleep.start, bleep.end) == (card_word["start"], card_word["end"])


def test_evaluation_counts_tokens_and_spans() -> None:
    cases = [
        {"text": "Call 212 555 0147 now", "pii": [{"kind": "PHONE", "text": "212 555 0147"}]},
        {"text": "Code is 123 ok", "pii": [{"kind": "CVV", "text": "123"}]},  # no cue: missed
        {"text": "It's 4111 1111 1111 1111", "pii": []},  # a card left unlabelled: 4 FPs
    ]
    result = evaluate_redaction(cases)
    assert (result["tp"], result["fp"], result["fn"]) == (3, 4, 1)
    assert result["precision"] == pytest.approx(3 / 7)
    assert result["recall"] == pytest.approx(3 / 4)
    assert result["span_recall"] == pytest.approx(1 / 2)
    assert result["span_precision"] == pytest.approx(1 / 2)
    assert result["per_kind"]["CVV"] == {"labelled": 1, "found": 0}
    with pytest.raises(ValueError, match="not in its text"):
        evaluate_redaction([{"id": "x", "text": "hello", "pii": [{"kind": "SSN", "text": "1"}]}])


def test_labelled_set_is_large_and_mixed() -> None:
    cases = _load("cases.jsonl")
    negatives = [c for c in cases if not c["pii"]]
    kinds = {p["kind"] for c in cases for p in c["pii"]}
    assert len(cases) >= 80 and len(negatives) >= 30
    assert kinds == {"CARD", "CVV", "SSN", "EMAIL", "PHONE", "DOB"}


@pytest.mark.parametrize("name", ["cases.jsonl", "heldout.jsonl"])
def test_precision_and_recall_on_the_labelled_sets(name: str) -> None:
    result = evaluate_redaction(_load(name))
    assert result["precision"] >= 0.95, result["errors"]
    assert result["recall"] >= 0.95, result["errors"]
    assert result["span_recall"] >= 0.95, result["errors"]


def test_precision_and_recall_on_real_asr_output() -> None:
    """tiny.en mangles some numbers beyond recovery; nothing it wrote may be wrongly hidden."""
    result = evaluate_redaction(_load("asr_words.jsonl"))
    assert result["precision"] >= 0.95, result["errors"]
    assert result["recall"] >= 0.6, result["errors"]


def test_no_false_positives_on_real_banking_enquiries() -> None:
    path = shared_data("banking77", "test.csv")
    with path.open(newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    flagged = [t for t in texts if redact_text(t).spans]
    assert len(texts) > 3000
    assert flagged == []
