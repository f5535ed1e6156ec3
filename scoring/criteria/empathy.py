"""Empathy: find the moments that call for it and check the agent answered them.

An opportunity is a customer turn expressing frustration, worry, loss, urgency or a repeated
contact, or an agent turn delivering bad news. The agent's next turns are searched for
acknowledgement, apology, reassurance and warmth; dismissive phrases count against.
"""

from __future__ import annotations

import math

from scoring.criteria._common import evidence
from scoring.registry import CriterionInput, register
from scoring.sentiment import compound, may_be_negative
from scoring.text import find_cues
from scoring.types import CriterionResult, Evidence, Turn

DEFAULTS = {
    "frustration": [
        r"frustrat\w*",
        r"annoy\w*",
        r"ridiculous",
        r"unacceptable",
        r"angry",
        r"furious",
        r"upset",
        r"fed up",
        r"sick of",
        r"tired of",
        r"terrible",
        r"horrible",
        r"awful",
        r"worst",
        r"useless",
        r"disappoint\w*",
        r"shit\w*",
        r"damn\w*",
        r"f\w*ck\w*",
        r"wtf",
        r"hate",
        r"joke",
        r"pathetic",
        r"rubbish",
        r"complain\w*",
        r"what (?:the hell|on earth)",
    ],
    "worry": [
        r"worr(?:y|ied|ying)",
        r"concern(?:ed)?",
        r"anxious",
        r"anxiety",
        r"scared",
        r"afraid",
        r"nervous",
        r"stress(?:ed|ful)?",
        r"panic\w*",
        r"depress\w*",
        r"lonely",
        r"alone",
        r"sad",
        r"hurt\w*",
        r"struggl\w*",
        r"can't cope",
        r"overwhelm\w*",
        r"don't know what to do",
        r"help me",
        r"confus\w*",
        r"lost",
        r"feel(?:ing)? (?:so |really |very )?(?:bad|down|low|awful|terrible|horrible|worthless"
        r"|useless|hopeless|empty|numb|lost|alone|stuck)",
        r"hopeless",
        r"miserable",
        r"unhappy",
        r"cry(?:ing)?",
        r"cried",
        r"tears",
        r"exhausted",
        r"suicid\w*",
        r"kill myself",
        r"can't (?:sleep|take|handle|stop|do this|deal)",
    ],
    "loss": [
        r"passed away",
        r"died",
        r"death",
        r"funeral",
        r"stolen",
        r"hacked",
        r"fraud\w*",
        r"scam\w*",
        r"broke(?:n)?",
        r"damaged",
        r"lost my",
        r"missing",
        r"charged twice",
        r"overcharg\w*",
        r"sick",
        r"hospital",
        r"cancer",
        r"divorce",
        r"fired",
        r"laid off",
    ],
    "urgency": [
        r"urgent\w*",
        r"asap",
        r"immediately",
        r"right now",
        r"emergency",
        r"deadline",
        r"as soon as possible",
        r"need (?:it|this) (?:today|now)",
    ],
    "repeat_contact": [
        r"again",
        r"(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time",
        r"(?:several|many|multiple|\d+) times",
        r"still (?:not|no|hasn't|haven't|waiting|doesn't|isn't|can't)",
        r"already (?:called|told|tried|contacted|sent|asked)",
        r"keep (?:calling|getting|asking|having)",
        r"for (?:days|weeks|months|hours)",
        r"no (?:one|body) (?:answer\w*|respond\w*|repl\w*|help\w*)",
        r"no (?:answer|response|reply)",
    ],
    "bad_news": [
        r"unfortunately",
        r"regret to",
        r"(?:we|i) (?:are|am) (?:unable|not able) to",
        r"(?:we|i) (?:can't|cannot|can not|won't be able to)",
        r"not (?:possible|eligible|covered)",
        r"(?:has|have|was|were) (?:been )?(?:denied|declined|rejected)",
        r"out of stock",
        r"no longer (?:available|supported)",
    ],
    "acknowledge": [
        r"i (?:completely |totally |really )?understand",
        r"i can (?:see|imagine|tell|hear)",
        r"i hear you",
        r"i know (?:how|what) (?:it|that|you)",
        r"(?:it's|it is|it can be|that's|must be) (?:so |really |very )?"
        r"(?:hard|tough|difficult|rough)",
        r"(?:i'm|i am) with you",
        r"(?:it's|its|it is) (?:ok|okay|alright|fine) to",
        r"i get (?:it|that|how)",
        r"that (?:must|sounds|would) (?:be|have been|feel)?\s*\w*",
        r"(?:sounds|seems) (?:really |so |very )?(?:frustrating|hard|difficult|stressful|tough"
        r"|awful|rough|scary|upsetting|annoying|painful|terrible)",
        r"(?:must|would) be (?:so |really |very )?(?:frustrating|hard|difficult|stressful|tough"
        r"|awful|scary|upsetting|annoying|painful|terrible|worrying)",
        r"makes (?:total |complete )?sense",
        r"(?:that's|that is|it's|it is) (?:completely |totally )?(?:understandable|valid|normal"
        r"|okay to feel)",
        r"your (?:frustration|concern|feelings?|situation)",
        r"i feel (?:you|the same|for you)",
        r"you're not alone",
        r"you are not alone",
    ],
    "apology": [
        r"(?:so |very |really |truly |terribly |deeply )?sorry",
        r"apologi[sz]\w*",
        r"regret (?:that|the|any)",
        r"my condolences",
        r"condolence\w*",
    ],
    "reassurance": [
        r"(?:please )?don'?t worry",
        r"no need to worry",
        r"rest assured",
        r"i(?:'ll| will) (?:make sure|personally|take care|sort|fix|look into|get this)",
        r"(?:we|i)(?:'ll| will) get (?:this|it|you) sorted",
        r"(?:i'm|i am) here (?:to help|for you)",
        r"let me help",
        r"happy to help",
        r"(?:it|things|everything) will (?:be|get) (?:ok|okay|fine|better|alright)",
        r"(?:it'll|you'll) be (?:ok|okay|fine|alright)",
        r"you(?:'ve| have) got this",
        r"you can do (?:it|this)",
        r"(?:stay|be) strong",
        r"hang in there",
        r"(?:good|best of) luck",
        r"(?:i|we) hope",
        r"(?:we|i) (?:really )?care",
        r"(?:want|like) to talk",
        r"(?:dm|pm|message|talk to) me",
        r"(?:i'm|i am|im) (?:always )?here",
        r"(?:happy birthday|congrat\w*|well done|awesome|amazing|beautiful|wonderful)",
        r"you(?:'re| are) not (?:useless|worthless|a burden|broken|weak|stupid)",
        r"one day at a time",
        r"(?:will|gets?|get) (?:better|brighter|easier)",
        r"hope (?:you|it|things|this|that)",
        r"take care",
        r"best wishes",
        r"proud of you",
        r"glad (?:you|to hear|that)",
        r"(?:hugs?|<3|love you|sending love)",
        r"feel better",
        r"you deserve",
        r"you matter",
        r"here for you",
        r"(?:it's|it is) (?:not|never) your fault",
        r"thank you for (?:sharing|telling|your patience|bearing|letting us know)",
    ],
    "dismissive": [
        r"calm down",
        r"(?:that's|that is|it's|it is) (?:just )?(?:our|the|company) policy",
        r"nothing (?:i|we) can do",
        r"not my (?:problem|fault|job)",
        r"you should have",
        r"as i (?:already )?(?:said|told you)",
        r"you need to understand",
        r"there's no need to (?:shout|yell|be)",
        r"get over it",
        r"deal with it",
        r"(?:stop|quit) (?:complaining|whining)",
    ],
    "cue_weights": {"acknowledge": 1.0, "apology": 0.8, "reassurance": 0.7},
    "warmth_weight": 0.6,
    "negative_sentiment": -0.5,
    "response_turns": 2,
    "shown_at": 0.5,
}


_SATURATED = 2.5


def _emotions(turn: Turn, cfg) -> list[str]:  # type: ignore[no-untyped-def]
    kinds = []
    for kind in ("frustration", "worry", "loss", "urgency", "repeat_contact"):
        if find_cues(cfg[kind], turn.text):
            kinds.append(kind)
    if (
        not kinds
        and may_be_negative(turn.text)
        and compound(turn.text) <= float(cfg["negative_sentiment"])
    ):
        kinds.append("negative tone")
    return kinds


def response_strength(text: str, settings) -> tuple[float, list[str]]:  # type: ignore[no-untyped-def]
    """How strongly a reply acknowledges feelings, 0..1, and the cues behind it."""
    total = 0.0
    cues: list[str] = []
    for kind, weight in settings["cue_weights"].items():
        found = find_cues(settings[kind], text)
        if found:
            # the first cue of a kind counts fully, repeats add less
            total += weight * (1 + 0.3 * (len(found) - 1))
            cues.extend(found)
    if total < _SATURATED:  # past this, warm tone cannot move the strength noticeably
        warmth = compound(text)
        if warmth > 0:
            total += float(settings["warmth_weight"]) * warmth
    dismissive = find_cues(settings["dismissive"], text)
    total -= 1.5 * len(dismissive)
    return max(0.0, 1 - math.exp(-1.2 * total)), cues


@register("empathy", DEFAULTS)
def score_empathy(request: CriterionInput) -> CriterionResult:
    """Mean response strength over opportunities; None when the call offered none."""
    cfg = request.settings
    turns = request.interaction.turns
    window = int(cfg["response_turns"])
    strengths: list[float] = []
    found: list[Evidence] = []
    shown = 0
    for index, turn in enumerate(turns):
        if turn.is_customer:
            kinds = _emotions(turn, cfg)
            replies = [t for t in turns[index + 1 :] if t.is_agent][:window]
            what = "customer expressed " + ", ".join(kinds)
        elif turn.is_agent and find_cues(cfg["bad_news"], turn.text):
            kinds = ["bad news"]
            following = [t for t in turns[index + 1 :] if t.is_agent][: max(0, window - 1)]
            replies = [turn, *following]
            what = "agent delivered bad news"
        else:
            continue
        if not kinds:
            continue
        best, best_turn, best_cues = 0.0, None, []
        for reply in replies:
            strength, cues = response_strength(reply.text, cfg)
            if strength > best or best_turn is None:
                best, best_turn, best_cues = strength, reply, cues
        strengths.append(best)
        if best >= float(cfg["shown_at"]) and best_turn is not None:
            shown += 1
            found.append(evidence(turn, f"opportunity: {what}; shown"))
            found.append(evidence(best_turn, "empathy shown: " + ", ".join(best_cues[:4])))
        else:
            found.append(evidence(turn, f"opportunity: {what}; missed"))
    dismissed = 0
    for turn in request.interaction.agent_turns:
        cues = find_cues(cfg["dismissive"], turn.text)
        if cues:
            dismissed += 1
            found.append(evidence(turn, "dismissive language: " + ", ".join(cues)))
    if not strengths:
        if dismissed:
            return CriterionResult(0.0, "dismissive", 0.7, tuple(found))
        return CriterionResult(None, "no opportunity", 0.7)
    score = max(0.0, sum(strengths) / len(strengths) - 0.25 * dismissed)
    label = f"{shown} of {len(strengths)} opportunities shown"
    confidence = min(0.95, 0.55 + 0.1 * len(strengths))
    details = {"opportunities": len(strengths), "shown": shown, "dismissive": dismissed}
    return CriterionResult(score, label, confidence, tuple(found), details)
