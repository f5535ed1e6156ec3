"""Greeting: the agent opens with a salutation and introduces themself or offers help."""

from __future__ import annotations

from scoring.criteria._common import opening_turns, two_part_result
from scoring.registry import CriterionInput, register
from scoring.types import CriterionResult

DEFAULTS = {
    "salutations": [
        "hello",
        "hi",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
        "thank you for calling",
        "thanks for calling",
        "thank you for contacting",
        "thanks for contacting",
        "thanks for reaching out",
        "welcome to",
    ],
    "offers": [
        "my name is",
        "this is",
        "you're speaking with",
        "how can i help",
        "how may i help",
        "how can i assist",
        "what can i do for you",
    ],
    "max_turns": 2,
    "window_seconds": 30.0,
    "threshold": 0.85,
}


@register("greeting", DEFAULTS)
def score_greeting(request: CriterionInput) -> CriterionResult:
    """Half for a salutation, half for an introduction or offer of help, in the opening turns."""
    cfg = request.settings
    turns = opening_turns(request.interaction, int(cfg["max_turns"]), float(cfg["window_seconds"]))
    parts = ((cfg["salutations"], "salutation"), (cfg["offers"], "offer of help"))
    labels = ("greeted", "partial greeting", "no greeting")
    return two_part_result(turns, parts, float(cfg["threshold"]), labels)
