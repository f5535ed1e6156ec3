"""Closing: the agent checks for further needs and ends the contact courteously."""

from __future__ import annotations

from scoring.criteria._common import closing_turns, two_part_result
from scoring.registry import CriterionInput, register
from scoring.types import CriterionResult

DEFAULTS = {
    "further_help": [
        "anything else",
        "is there anything else",
        "something else i can help",
        "any other questions",
        "can i help with anything else",
    ],
    "farewells": [
        "thank you for calling",
        "thanks for calling",
        "thank you for contacting",
        "have a great day",
        "have a nice day",
        "have a good day",
        "have a wonderful",
        "take care",
        "goodbye",
        "bye",
        "thanks for your patience",
    ],
    "max_turns": 2,
    "window_seconds": 60.0,
    "threshold": 0.85,
}


@register("closing", DEFAULTS)
def score_closing(request: CriterionInput) -> CriterionResult:
    """Half for offering further help, half for a courteous farewell, in the final turns."""
    cfg = request.settings
    turns = closing_turns(request.interaction, int(cfg["max_turns"]), float(cfg["window_seconds"]))
    parts = ((cfg["further_help"], "offered more help"), (cfg["farewells"], "farewell"))
    labels = ("closed", "partial closing", "no closing")
    return two_part_result(list(reversed(turns)), parts, float(cfg["threshold"]), labels)
