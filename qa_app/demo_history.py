"""Weeks of demo chats for analytics: realistic daily and hourly rhythm, one outage day.

Deterministic (fixed seed), so re-seeding adds nothing and screenshots are comparable.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from qa_app.agents.models import Agent
from qa_app.calls.models import Channel, Interaction, Segment, Speaker, Status, Transcript
from qa_app.extensions import db
from qa_app.reviews.models import Rubric
from qa_app.reviews.suggestions import HistoryCache, score_interaction
from qa_app.timeutil import utcnow

DAYS = 42
OUTAGE_DAYS_AGO = 9
SEED = 20261125
PREFIX = "demo-chat-"

# (queue, opening line of the customer, agent reply, customer close)
TOPICS = [
    (
        "billing",
        "Hi, my bill is higher than usual this month, can you explain why?",
        "I can see a one-off roaming charge of 12 euros; everything else is as usual.",
        "Ah right, I was abroad. Thanks.",
    ),
    (
        "billing",
        "I was charged twice for the same invoice and I'm annoyed.",
        "Sorry about that, a double charge is frustrating. I've refunded the second one now.",
        "OK, thank you for sorting it.",
    ),
    (
        "billing",
        "Can I change the date my payment is taken?",
        "Of course. I've moved it to the 15th from next month.",
        "Perfect.",
    ),
    (
        "tech",
        "My internet keeps dropping every evening.",
        "That sounds really disruptive. I ran a line test and reset your port; it should hold now.",
        "Thanks, I'll see tonight.",
    ),
    (
        "tech",
        "The router lights are all red and nothing works. Third time I'm contacting you!",
        "Please restart the router.",
        "I already did. This is useless.",
    ),
    (
        "tech",
        "How do I set up the new mesh extender?",
        "Press the pair button on both devices within two minutes; the light turns solid blue.",
        "Done, works. Cheers.",
    ),
    (
        "sales",
        "Do you have a cheaper plan for students?",
        "Yes, the Campus plan is 15 euros a month with the same speed. I can switch you today.",
        "Yes please.",
    ),
    (
        "sales",
        "I want to cancel my contract, it's too expensive.",
        "I understand. Before you go, I can offer 30% off for twelve months on your current plan.",
        "Hm, fine, I'll stay then.",
    ),
]
OUTAGE = (
    "tech",
    "Is there an outage? Nothing has worked since this morning and I work from home!",
    "I'm sorry, yes: there is an outage in your area and engineers expect it fixed by 18:00.",
    "Okay, thanks for telling me.",
)
# How each agent opens and closes a chat: chances of a full greeting / a partial one, and of a
# full closing / a partial one. Agents differ, so the AI totals differ from agent to agent.
STYLES = ((0.85, 0.1, 0.8, 0.15), (0.45, 0.3, 0.35, 0.35), (0.65, 0.2, 0.55, 0.25))
GREETINGS = (
    "Hi, you're chatting with {name} at Northwind. How can I help?",  # salutation + offer
    "Hello!",  # salutation only
)
CLOSINGS = (
    "Is there anything else I can help you with? Have a nice day!",  # more help + farewell
    "Have a good day.",  # farewell only
)
# share of the day's contacts per local hour (08:00-19:00), a lunchtime dip
HOURS = {8: 5, 9: 12, 10: 14, 11: 12, 12: 7, 13: 9, 14: 12, 15: 11, 16: 9, 17: 6, 18: 3}


def _daily_volume(rng: random.Random, days_ago: int, day: datetime) -> int:
    if days_ago == OUTAGE_DAYS_AGO:
        return 38
    weekend = day.weekday() >= 5
    return max(0, int(rng.gauss(3 if weekend else 9, 1.5)))


def _pick(rng: random.Random, full: float, partial: float, options: tuple[str, ...]) -> str | None:
    draw = rng.random()
    return options[0] if draw < full else options[1] if draw < full + partial else None


def chat_turns(
    topic: tuple[str, str, str, str], agent: Agent, number: int
) -> list[tuple[str, str]]:
    """The chat's turns: the topic's exchange, framed by the agent's habitual greeting and
    closing (drawn from its own seed, so the day's volumes and topics stay as they were)."""
    rng = random.Random(f"{PREFIX}{number}")
    full_greet, partial_greet, full_close, partial_close = STYLES[agent.id % len(STYLES)]
    greeting = _pick(rng, full_greet, partial_greet, GREETINGS)
    closing = _pick(rng, full_close, partial_close, CLOSINGS)
    turns = [("customer", topic[1]), ("agent", topic[2]), ("customer", topic[3])]
    if greeting:
        turns.insert(0, ("agent", greeting.format(name=agent.name.split()[0])))
    if closing:
        turns.append(("agent", closing))
    return turns


def ensure_chat_history(agents: list[Agent], rubric: Rubric) -> int:
    """Add the demo chats that are missing; returns how many were added."""
    existing = set(
        db.session.scalars(
            select(Interaction.external_id).where(Interaction.external_id.like(f"{PREFIX}%"))
        )
    )
    rng = random.Random(SEED)
    today = utcnow().date()
    hours, weights = zip(*HOURS.items(), strict=True)
    created = 0
    number = 0
    history = HistoryCache()  # scoring reads each agent's history once, not 50 calls per chat
    for days_ago in range(DAYS, 0, -1):
        day = datetime.combine(today - timedelta(days=days_ago), time.min)
        for _ in range(_daily_volume(rng, days_ago, day)):
            number += 1
            topic = (
                OUTAGE if days_ago == OUTAGE_DAYS_AGO and rng.random() < 0.8 else rng.choice(TOPICS)
            )
            started = day + timedelta(
                hours=rng.choices(hours, weights)[0], minutes=rng.randrange(60)
            )
            agent = rng.choice(agents)
            external_id = f"{PREFIX}{number}"
            if external_id in existing:
                continue
            interaction = Interaction(
                channel=Channel.CHAT,
                agent_id=agent.id,
                queue=topic[0],
                external_id=external_id,
                started_at=started,
                status=Status.READY,
                customer_ref=f"CHAT-{number:05d}",
            )
            transcript = Transcript(
                engine="chat", model="text", language="en", speaker_mode="channels"
            )
            turns = chat_turns(topic, agent, number)
            for position, (speaker, text) in enumerate(turns):
                transcript.segments.append(
                    Segment(
                        position=position,
                        speaker=Speaker(speaker),
                        start_s=position * 30.0,
                        end_s=position * 30.0 + 20.0,
                        text=text,
                        redacted_text=text,
                        words=[],
                    )
                )
            interaction.transcript = transcript
            interaction.duration_s = len(turns) * 30.0 - 10.0
            db.session.add(interaction)
            db.session.flush()
            score_interaction(interaction, rubric, history=history)
            created += 1
    return created
