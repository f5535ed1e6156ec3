"""Demo social comments and web chats over six weeks, with an outage and a campaign.

The texts are assembled from varied parts (openings, a topic's many phrasings, details, sign-offs)
so pages show believable spread rather than one sentence repeated. Deterministic (fixed seed):
seeding again adds nothing. Items enter through the same import path as a client's file
(``imports.import_items``), so they are hashed, redacted, tagged and given a mood like any import.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from qa_app.analytics.imports import ImportReport, TextItem, hash_author, import_items
from qa_app.analytics.models import Event
from qa_app.calls.models import Channel, Interaction
from qa_app.demo_history import OUTAGE_DAYS_AGO
from qa_app.extensions import db
from qa_app.timeutil import utcnow

SEED = 20261126
PREFIX = "demo-social-"
DAYS = 42
CAMPAIGN_DAYS_AGO = 24  # a week-long offer
CAMPAIGN_LENGTH = 7
AWARD_DAYS_AGO = 33

TOWNS = ["Riverton", "Eastfield", "Oakham", "Millbrook", "Northgate", "Lakeside", "Hillcrest"]
DEVICES = ["router", "TV box", "mesh extender", "modem", "set-top box"]
FIRST = ["sam", "lena", "tom", "priya", "jo", "marco", "aisha", "ben", "chloe", "dan", "eva"]
LAST = ["k", "_m", "baker", "smith", "vdb", "lee", "ross", "_x", "jones", "o", "w"]

# topic -> (queue, phrasings); {town}, {device}, {days}, {amount}, {time} are filled at random
TOPICS: dict[str, tuple[str, list[str]]] = {
    "billing_error": (
        "billing",
        [
            "I've been charged twice for this month's bill.",
            "Why did you take {amount} euros from my account when my plan is cheaper than that?",
            "Double payment again this month, second time this year.",
            "Still waiting for the refund you promised {days} days ago.",
            "My invoice shows a router rental I returned months ago.",
            "You keep billing me for a TV package I cancelled.",
        ],
    ),
    "invoice_explanation": (
        "billing",
        [
            "What is the 'service adjustment' line on my invoice?",
            "Why is my bill higher this month? Nothing changed on my side.",
            "Can someone explain the {amount} euro charge on my statement?",
            "Is the one-off fee on my latest bill the installation?",
        ],
    ),
    "payment_date_change": (
        "billing",
        [
            "Can I change my payment date to the 28th? Salary comes late.",
            "I'd like to move my direct debit to later in the month.",
            "How do I switch the day you collect payment?",
        ],
    ),
    "connection_problem": (
        "tech",
        [
            "My internet keeps dropping every evening around {time}.",
            "Wifi disconnects every few minutes since the weekend.",
            "Broadband in {town} is painfully slow tonight.",
            "Speed test shows a fraction of what I pay for.",
            "The {device} lights are orange and nothing loads.",
        ],
    ),
    "repeated_fault": (
        "tech",
        [
            "Third time this month the connection has died. Fix it properly!",
            "Same fault again. Your technician said it was sorted {days} days ago.",
            "I've reported this problem four times and nothing changes.",
        ],
    ),
    "setup_help": (
        "tech",
        [
            "How do I set up the new {device}?",
            "Just got the {device}, which cable goes where?",
            "Is there a guide for pairing the {device} with my phone?",
        ],
    ),
    "tv_problem": (
        "tech",
        [
            "TV box stuck on the loading screen again.",
            "No picture on half the channels tonight.",
            "Recordings on my {device} disappeared after the update.",
        ],
    ),
    "poor_service": (
        "billing",
        [
            "Waited {days}0 minutes on the chat and then got disconnected.",
            "Nobody called me back like they promised. Useless.",
            "Your phone line keeps me on hold forever.",
        ],
    ),
    "plan_change": (
        "sales",
        [
            "Is the fibre upgrade available in {town}?",
            "Can I move to a faster plan without a new contract?",
            "I'd like the cheaper student plan please.",
        ],
    ),
    "cancellation": (
        "sales",
        [
            "I want to cancel my contract, it's too expensive.",
            "How do I end my subscription when I move abroad?",
            "Thinking of leaving, competitor offers double the speed.",
        ],
    ),
    "praise": (
        "tech",
        [
            "Big thanks to the engineer who came out today, super helpful.",
            "Support sorted my {device} in five minutes. Great job!",
            "Honestly the best customer service I've had this year.",
        ],
    ),
}
OUTAGE_TEXTS = [
    "Is the internet down in {town}? Nothing has worked since this morning.",
    "No internet since early this morning and I work from home. What is going on??",
    "Whole street in {town} is offline. Any update on the outage?",
    "Outage again? I have a client call in an hour!",
    "Your status page says all good but nothing loads. Is there an outage?",
    "Day ruined, no broadband and no information from you. Absolutely furious.",
    "Internet and TV both dead in {town}. When will it be fixed?",
    "Still no connection. You could at least tell us when it comes back.",
    "Kids can't do homework, I can't work. Terrible service today.",
    "Is anyone working on the outage in {town} or should I switch provider?",
]
CAMPAIGN_TEXTS = [
    "Just upgraded to fibre with the Black Friday deal, so much faster!",
    "Does the half-price fibre offer apply to existing customers?",
    "Signed up for the fibre offer, installation booked for next week. Easy.",
    "Love the new fibre price, finally switching from my old plan.",
    "How long does the Black Friday fibre deal run? Want to upgrade.",
]
OPENERS = ["", "", "", "Hi, ", "Hello! ", "Hey @NorthwindHelp ", "Quick question: "]
ANGRY_OPENERS = ["", "", "", "Ugh. ", "Again. ", "@NorthwindHelp "]
ANGRY_CLOSERS = ["", "", " Not happy.", " Sort it out.", " #fail", " Seriously?", " 😡"]
CALM_CLOSERS = ["", "", " Thanks!", " Thanks in advance.", " Cheers", " 🙏"]
NEGATIVE_TOPICS = {"billing_error", "repeated_fault", "poor_service", "connection_problem"}


@dataclass(frozen=True)
class DemoEvent:
    name: str
    kind: str
    days_ago: int
    start: time
    hours: float | None
    description: str
    scope: dict[str, list[str]]


EVENTS = [
    DemoEvent(
        "Network outage in the north region",
        "outage",
        OUTAGE_DAYS_AGO,
        time(7, 30),
        28.5,
        "A fibre cut near Northgate took broadband and TV down until noon the next day. "
        "Complaints poured in on social media and web chat.",
        {},
    ),
    DemoEvent(
        "Black Friday fibre offer",
        "campaign",
        CAMPAIGN_DAYS_AGO,
        time(0, 0),
        CAMPAIGN_LENGTH * 24.0,
        "Fibre upgrades at half price for six months, promoted on social media.",
        {"queues": ["sales"]},
    ),
    DemoEvent(
        "Best customer service award",
        "award",
        AWARD_DAYS_AGO,
        time(9, 0),
        None,
        "Northwind won a regional customer service award.",
        {"channels": ["social"]},
    ),
]


def _fill(rng: random.Random, text: str) -> str:
    return text.format(
        town=rng.choice(TOWNS),
        device=rng.choice(DEVICES),
        days=rng.randint(2, 9),
        amount=rng.choice([12, 19, 24, 37, 45, 60]),
        time=f"{rng.randint(7, 21)}:{rng.choice(['00', '15', '30', '45'])}",
    )


def _compose(rng: random.Random, core: str, negative: bool) -> str:
    closer = rng.choice(ANGRY_CLOSERS if negative else CALM_CLOSERS)
    opener = rng.choice(ANGRY_OPENERS if negative else OPENERS)
    text = _fill(rng, core)
    first_word = text.split(" ", 1)[0].rstrip(",")
    if opener.endswith(", ") and first_word not in ("I", "I'd", "I've", "I'm"):
        text = text[0].lower() + text[1:]
    return f"{opener}{text}{closer}".strip()


def _volume(rng: random.Random, days_ago: int, weekday: int) -> int:
    if days_ago == OUTAGE_DAYS_AGO:
        return 64
    if days_ago == OUTAGE_DAYS_AGO - 1:
        return 20
    base = 6 if weekday >= 5 else 10
    if CAMPAIGN_DAYS_AGO - CAMPAIGN_LENGTH < days_ago <= CAMPAIGN_DAYS_AGO:
        base += 4
    return max(1, int(rng.gauss(base, 1.5)))


def _topic(rng: random.Random, days_ago: int, hour: int) -> tuple[str, str, bool]:
    """(queue, text core, negative?) for one item of that day."""
    if days_ago == OUTAGE_DAYS_AGO and hour >= 7 and rng.random() < 0.8:
        return "tech", rng.choice(OUTAGE_TEXTS), True
    if days_ago == OUTAGE_DAYS_AGO - 1 and hour < 12 and rng.random() < 0.7:
        return "tech", rng.choice(OUTAGE_TEXTS[5:]), True
    in_campaign = CAMPAIGN_DAYS_AGO - CAMPAIGN_LENGTH < days_ago <= CAMPAIGN_DAYS_AGO
    if in_campaign and rng.random() < 0.4:
        return "sales", rng.choice(CAMPAIGN_TEXTS), False
    weights = [2, 4, 3, 3, 1, 4, 2, 1, 4, 2, 5]
    key = rng.choices(list(TOPICS), weights)[0]
    queue, phrasings = TOPICS[key]
    return queue, rng.choice(phrasings), key in NEGATIVE_TOPICS


def demo_items(secret: str, today: datetime | None = None) -> list[TextItem]:
    """The whole demo set, the same every time for the same day."""
    rng = random.Random(SEED)
    start_day = (today or utcnow()).date()
    handles = [f"@{rng.choice(FIRST)}{rng.choice(LAST)}{rng.randint(1, 99)}" for _ in range(140)]
    items: list[TextItem] = []
    for days_ago in range(DAYS, 0, -1):
        day = datetime.combine(start_day - timedelta(days=days_ago), time.min)
        for _ in range(_volume(rng, days_ago, day.weekday())):
            hour = rng.choices(
                range(24), [1] * 7 + [3, 5, 6, 6, 6, 5, 5, 5, 5, 5, 6, 7, 7, 6, 4, 3, 2]
            )[0]
            queue, core, negative = _topic(rng, days_ago, hour)
            social = rng.random() < 0.7
            source = rng.choice(["twitter", "facebook", "instagram"]) if social else "webchat"
            items.append(
                TextItem(
                    line=len(items) + 1,
                    text=_compose(rng, core, negative),
                    created_at=day + timedelta(hours=hour, minutes=rng.randrange(60)),
                    channel=Channel.SOCIAL if social else Channel.CHAT,
                    source=source,
                    author_hash=hash_author(rng.choice(handles), secret),
                    queue=queue,
                    external_id=f"{PREFIX}{len(items) + 1}",
                )
            )
    return items


def _ensure_events(today: datetime) -> int:
    known = set(db.session.scalars(select(Event.name)))
    created = 0
    for spec in EVENTS:
        if spec.name in known:
            continue
        starts = datetime.combine(today.date() - timedelta(days=spec.days_ago), spec.start)
        db.session.add(
            Event(
                name=spec.name,
                kind=spec.kind,
                starts_at=starts,
                ends_at=starts + timedelta(hours=spec.hours) if spec.hours else None,
                description=spec.description,
                scope=spec.scope,
            )
        )
        created += 1
    db.session.flush()
    return created


def ensure_social_demo(secret: str | None = None) -> int:
    """Add the missing demo social items and events; returns how many items were added.

    :param secret: the key author handles are hashed with (default: the app's SECRET_KEY).
    """
    secret = secret or current_app.config["SECRET_KEY"]
    today = utcnow()
    _ensure_events(today)
    if db.session.scalar(
        select(Interaction.id).where(Interaction.external_id == f"{PREFIX}1").limit(1)
    ):
        return 0  # seeded already (possibly on an earlier day: the set is not rebuilt)
    report = import_items(ImportReport(file="demo"), demo_items(secret, today))
    return report.imported
