"""Disclosure: required statements (e.g. the recording notice) said by the agent in time.

Matching is fuzzy so an ASR slip ("maybe recorded", "quality in training") does not fail a
compliant call.
"""

from __future__ import annotations

from scoring.criteria._common import evidence, opening_turns
from scoring.registry import CriterionInput, register
from scoring.text import fuzzy_find
from scoring.types import CriterionResult

DEFAULTS = {
    "phrases": [
        "this call may be recorded for quality and training purposes",
        "this call is being recorded",
        "calls are recorded for quality and training purposes",
        "this call may be monitored or recorded",
    ],
    "max_turns": 3,
    "window_seconds": 60.0,
    "late_credit": 0.5,
    "threshold": 0.8,
    "text_channels": 1.0,
}


@register("disclosure", DEFAULTS)
def score_disclosure(request: CriterionInput) -> CriterionResult:
    """1 when said in the opening window, ``late_credit`` when said later, 0 when never said.

    ``text_channels`` 0 makes the criterion not applicable to untimed (chat/email) interactions.
    """
    cfg = request.settings
    interaction = request.interaction
    if not interaction.has_times and not cfg["text_channels"]:
        return CriterionResult(None, "not applicable to text channels", 1.0)
    threshold = float(cfg["threshold"])
    opening = opening_turns(interaction, int(cfg["max_turns"]), float(cfg["window_seconds"]))
    for turn in opening:
        match = fuzzy_find(cfg["phrases"], turn.text, threshold)
        if match:
            reason = f"required disclosure '{match[0]}' (match {match[1]:.2f})"
            confidence = 0.6 + 0.4 * (match[1] - threshold) / max(1e-6, 1 - threshold)
            return CriterionResult(1.0, "disclosed", confidence, (evidence(turn, reason),))
    for turn in interaction.agent_turns:
        if turn in opening:
            continue
        match = fuzzy_find(cfg["phrases"], turn.text, threshold)
        if match:
            reason = f"disclosure '{match[0]}' given late, outside the opening window"
            late = float(cfg["late_credit"])
            return CriterionResult(late, "disclosed late", 0.8, (evidence(turn, reason),))
    return CriterionResult(0.0, "not disclosed", 0.8)
