"""Resolution: was the customer's problem solved, and how do we know?

Outcome is one of resolved | partially | unresolved | escalated | callback. The score weighs the
agent's concrete action, the customer's confirmation and any dissatisfaction left at the end; a
repeat contact by the same customer within ``repeat_contact_days`` lowers it.
"""

from __future__ import annotations

import math

from scoring.criteria._common import evidence
from scoring.registry import CriterionInput, register
from scoring.sentiment import compound
from scoring.text import find_cues
from scoring.types import CriterionResult, Evidence

DEFAULTS = {
    "action": [
        r"(?:i|we)(?:'ve| have)? (?:just )?(?:reset|updated|processed|refunded|sent|fixed|resolved"
        r"|cancell?ed|issued|credited|changed|replaced|activated|unlocked|restored|applied|removed"
        r"|added|booked|arranged|submitted|corrected|waived|reversed|enabled|repaired|dispatched"
        r"|rescheduled|reinstated)",
        r"(?:has|have|was|were) (?:now |already |just )?(?:been )?(?:reset|updated|processed"
        r"|refunded|sent|fixed|resolved|cancell?ed|issued|credited|changed|replaced|activated|unlocked"
        r"|restored|applied|removed|added|booked|arranged|submitted|corrected|waived|reversed"
        r"|repaired|recovered|dispatched|handled|solved|delivered|completed|released)",
        r"(?:will|should) (?:be )?(?:arrive|receive|reflect|appear|show|credited|refunded"
        r"|delivered|processed|restored|back to normal|work)",
        r"you (?:can|could|may|should|need to|just need to) (?:now )?(?:go|try|click|tap|select"
        r"|restart|reset|check|visit|download|update|use|open|log|sign|call|dial|send|enter|change"
        r"|apply|contact|install|turn|follow|reinstall|clear|press|submit|reply|visit|find)",
        r"(?:please|kindly) (?:try|go|click|tap|select|restart|reset|check|visit|download|update"
        r"|use|open|log|sign|call|dial|send|enter|change|apply|install|turn|follow|reinstall"
        r"|clear|press|submit|provide|dm|message|confirm|refer)",
        r"here(?:'s| is) how",
        r"steps?",
        r"the (?:reason|cause) (?:is|was)",
        r"(?:is|are) (?:now )?(?:back|working|fixed|available|normal|restored)",
        r"repair\w*",
        r"technician",
        r"refund\w*",
        r"compensat\w*",
        r"https?://\S+",
        r"\d{3,}",
    ],
    "confirmation": [
        r"thanks?(?: you)?(?: so much| very much| a lot)?",
        r"thx",
        r"appreciate\w*",
        r"got it",
        r"perfect",
        r"great",
        r"awesome",
        r"excellent",
        r"wonderful",
        r"(?:ok|okay|alright|all right)",
        r"understood",
        r"no problem",
        r"that's all",
        r"satisf\w*",
    ],
    "solved": [
        r"(?:solved|resolved|fixed|rectified|sorted|successful\w*|succeeded)",
        r"(?:it is|it's|is|all) (?:ok|okay|fine|normal|good) now",
        r"(?:can|could) (?:be \w+ |\w+ )?now",
        r"received",
        r"works?(?:ing)? (?:now|again|fine|perfectly)",
        r"(?:that|it|this) (?:works|worked|helped|did it|fixed it)",
        r"no (?:problem|issue) (?:now|any ?more)",
    ],
    "dissatisfaction": [
        r"still (?:not|no|hasn't|haven't|waiting|doesn't|isn't|can't|don't|broken)",
        r"(?:doesn't|does not|didn't|did not|isn't|is not|not) (?:work\w*|help\w*|fix\w*|solv\w*"
        r"|resolv\w*)",
        r"not (?:happy|satisfied|good enough|acceptable)",
        r"unacceptable",
        r"useless",
        r"ridiculous",
        r"(?:no|any) (?:one|body|answer|response|reply|solution)",
        r"(?:how|why|when|what) (?:long|come|is it|the hell|on earth)",
        r"waste",
        r"complain\w*",
        r"terrible",
        r"worst",
        r"disappoint\w*",
        r"shit\w*",
        r"f\w*ck\w*",
        r"rubbish",
        r"speechless",
        r"never again",
        r"cancel (?:my|the) (?:account|subscription|contract|service)",
    ],
    "escalation": [
        r"transfer\w*(?: you)? (?:to|over)",
        r"escalat\w*",
        r"(?:pass|forward|refer)\w* (?:this |it |your \w+ )?(?:on )?to (?:the |our |a |my )?"
        r"(?:team|department|specialist|supervisor|manager|colleague|engineer|technician)s?",
        r"(?:supervisor|manager|specialist team|relevant department|back office)",
    ],
    "callback": [
        r"(?:call|ring|phone) you back",
        r"get back to you",
        r"(?:we|i)(?:'ll| will| shall) (?:contact|reach out to|follow up with|update|email|call"
        r"|notify|reply to|inform) you",
        r"follow(?:-| )up",
        r"within (?:\d+|one|two|three|24|48) (?:hours?|business days?|working days?|days?)",
    ],
    "deferral": [
        r"private message",
        r"direct message",
        r"dm us",
        r"(?:provide|send|leave|tell) (?:us )?(?:your|the) (?:\w+ )?(?:number|phone|contact|order"
        r"|account|information|details|name|id)",
        r"(?:we|i)(?:'ll| will| shall) (?:check|verify|look into|reply|feed ?back|handle|follow"
        r"|contact|urge|investigate|inform)",
        r"as soon as possible",
        r"please (?:be patient|wait)",
        r"relevant department",
    ],
    "end_turns": 2,
    "repeat_contact_days": 7.0,
    "repeat_penalty": 0.3,
}

# Weights of each piece of evidence; their ratios were set against the STC-3 helpdesk labels
# (bench/scoring_eval.py), where the customer's closing words carry most of the signal.
_W_MOOD = 0.15
_W_THANKS = 0.14
_W_SOLVED = 0.08
_W_QUESTION = -0.10
_W_UNHAPPY = -0.05
_W_DEFERRAL = -0.06
_W_ACTION = 0.03
_W_WORDS = -0.12
_TYPICAL_LOG_WORDS = 4.0


@register("resolution", DEFAULTS)
def score_resolution(request: CriterionInput) -> CriterionResult:
    """Sum the evidence for and against a solved problem, then name the outcome."""
    cfg = request.settings
    interaction = request.interaction
    agent = interaction.agent_turns
    customer = interaction.customer_turns
    if not agent:
        return CriterionResult(None, "no agent turns", 1.0)
    found: list[Evidence] = []
    score = 0.5

    actions = [(t, c) for t in agent if (c := find_cues(cfg["action"], t.text))]
    for turn, cues in actions[-2:]:
        found.append(evidence(turn, "agent action: " + ", ".join(cues[:3])))
    score += _W_ACTION * bool(actions)
    escalated = [t for t in agent if find_cues(cfg["escalation"], t.text)]
    final_agent = agent[-2:]
    callbacks = [t for t in final_agent if find_cues(cfg["callback"], t.text)]
    deferred = [t for t in final_agent if find_cues(cfg["deferral"], t.text)]
    score += _W_DEFERRAL * bool(deferred)

    last_customer = customer[-1] if customer and customer[-1].id > agent[0].id else None
    thanks = solved = unhappy = []
    asks = False
    mood = 0.0
    if last_customer is not None:
        text = last_customer.text
        mood = compound(text)
        thanks = find_cues(cfg["confirmation"], text)
        solved = find_cues(cfg["solved"], text)
        unhappy = find_cues(cfg["dissatisfaction"], text)
        asks = text.rstrip().endswith(("?", "？"))
        score += _W_MOOD * mood + _W_THANKS * min(len(thanks), 2) + _W_SOLVED * bool(solved)
        score += _W_UNHAPPY * min(len(unhappy), 2) + _W_QUESTION * asks
        if thanks or solved:
            found.append(
                evidence(last_customer, "customer confirmed: " + ", ".join((solved or thanks)[:3]))
            )
        if unhappy or mood <= -0.3 or asks:
            why = ", ".join(unhappy[:3]) or ("open question" if asks else "negative tone")
            found.append(evidence(last_customer, f"dissatisfaction left at the end: {why}"))
    customer_words = sum(len(t.text.split()) for t in customer)
    score += _W_WORDS * (math.log1p(customer_words) - _TYPICAL_LOG_WORDS)
    for turn in escalated[-1:]:
        found.append(evidence(turn, "transfer or escalation"))
    for turn in (callbacks or deferred)[-1:]:
        found.append(evidence(turn, "callback or follow-up promised instead of a fix"))

    confirmed = bool(solved) or (bool(thanks) and mood >= 0 and not unhappy)
    if confirmed and not unhappy and not asks:
        outcome = "resolved"
    elif escalated:
        outcome = "escalated"
    elif callbacks or deferred:
        outcome = "callback"
    elif unhappy or asks or mood <= -0.3 or not actions:
        outcome = "unresolved"
    else:
        outcome = "partially"

    days = request.context.repeat_contact_days.get(interaction.interaction_id)
    if days is not None and days <= float(cfg["repeat_contact_days"]):
        score -= float(cfg["repeat_penalty"])
        reason = (
            f"same customer contacted again after {days:g} days "
            f"(within {float(cfg['repeat_contact_days']):g}): not resolved first time"
        )
        anchor = agent[-1]
        found.append(Evidence(anchor.id, "", reason, anchor.start, anchor.end))
        if outcome == "resolved":
            outcome = "partially"
    score = min(1.0, max(0.0, score))
    confidence = 0.5 + 0.2 * bool(thanks or solved or unhappy or asks) + 0.1 * bool(actions)
    return CriterionResult(score, outcome, confidence, tuple(found), {"outcome": outcome})
