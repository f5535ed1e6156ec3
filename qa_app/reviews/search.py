"""Finding interactions to review: filters and full-text search over transcripts.

Search reads the redacted text, so a search box cannot be used to probe for card numbers or
names that the transcript view hides. PostgreSQL uses its full-text engine; SQLite matches every
word with LIKE (good for a small installation; an FTS5 index is the next step there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, select, true

from qa_app.agents.models import Agent, Team
from qa_app.auth.models import User
from qa_app.calls.models import Channel, Interaction, Segment, Status, Transcript
from qa_app.calls.services import visible_interactions
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, Evaluation, EvaluationStatus, ScoreSuggestion
from qa_app.tagging.models import Tag, TagAssignment

SORTS = {
    "newest": (Interaction.started_at.desc(), Interaction.id.desc()),
    "oldest": (Interaction.started_at.asc(), Interaction.id.asc()),
    "ai_low": (Interaction.ai_total.asc(), Interaction.id.desc()),
    "ai_high": (Interaction.ai_total.desc(), Interaction.id.desc()),
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choice(value: str | None, allowed: set[str]) -> str | None:
    return value if value in allowed else None


@dataclass(frozen=True)
class InteractionFilters:
    agent_id: int | None = None
    team_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    channel: str | None = None
    status: str | None = None
    ai_min: float | None = None
    ai_max: float | None = None
    auto_fail: str | None = None  # "yes" / "no"
    reviewed: str | None = None  # "yes" / "no"
    criterion: str | None = None  # criterion key whose AI score ...
    criterion_below: float | None = None  # ... is below this (0-100)
    tag: str | None = None  # tag key assigned to the interaction (not rejected)
    q: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> InteractionFilters:
        """Lenient: a malformed value is ignored, never an error page."""
        return cls(
            agent_id=_int(args.get("agent")),
            team_id=_int(args.get("team")),
            date_from=_date(args.get("from")),
            date_to=_date(args.get("to")),
            channel=_choice(args.get("channel"), {c.value for c in Channel}),
            status=_choice(args.get("status"), {s.value for s in Status}),
            ai_min=_float(args.get("ai_min")),
            ai_max=_float(args.get("ai_max")),
            auto_fail=_choice(args.get("auto_fail"), {"yes", "no"}),
            reviewed=_choice(args.get("reviewed"), {"yes", "no"}),
            criterion=(args.get("criterion") or "").strip()[:64] or None,
            criterion_below=_float(args.get("criterion_below")),
            tag=(args.get("tag") or "").strip()[:80] or None,
            q=(args.get("q") or "").strip()[:200],
            sort=_choice(args.get("sort"), set(SORTS)) or "newest",
        )

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (for pagination links)."""
        names = {"agent_id": "agent", "team_id": "team", "date_from": "from", "date_to": "to"}
        return {
            names.get(k, k): (v.isoformat() if isinstance(v, date) else v)
            for k, v in asdict(self).items()
            if v not in (None, "") and not (k == "sort" and v == "newest")
        }

    @property
    def active(self) -> bool:
        return bool(set(self.as_args()) - {"sort"})


def _text_match(q: str, dialect: str) -> Any:
    """PostgreSQL full-text search for words; a query of symbols only (e.g. ``%``) has no
    lexemes, so it falls back to the literal substring match that SQLite uses."""
    if dialect == "postgresql" and any(ch.isalnum() for ch in q):
        doc = func.to_tsvector("simple", Segment.redacted_text)
        return doc.op("@@")(func.websearch_to_tsquery("simple", q))
    words = [w for w in q.split() if w][:8]
    clauses = [Segment.redacted_text.ilike(f"%{_escape(w)}%", escape="\\") for w in words]
    return and_(*clauses) if clauses else true()


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_interactions(user: User, f: InteractionFilters) -> Select[tuple[Interaction]]:
    query = visible_interactions(user)
    if f.agent_id:
        query = query.where(Interaction.agent_id == f.agent_id)
    if f.team_id:
        query = query.where(
            Interaction.agent_id.in_(select(Agent.id).where(Agent.team_id == f.team_id))
        )
    if f.date_from:
        query = query.where(Interaction.started_at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time.min)
        query = query.where(Interaction.started_at < end)
    if f.channel:
        query = query.where(Interaction.channel == Channel(f.channel))
    if f.status:
        query = query.where(Interaction.status == Status(f.status))
    if f.ai_min is not None:
        query = query.where(Interaction.ai_total >= f.ai_min)
    if f.ai_max is not None:
        query = query.where(Interaction.ai_total <= f.ai_max)
    if f.auto_fail:
        query = query.where(Interaction.ai_auto_fail.is_(f.auto_fail == "yes"))
    if f.reviewed:
        done = exists().where(
            Evaluation.interaction_id == Interaction.id,
            Evaluation.status != EvaluationStatus.DRAFT,
            Evaluation.calibration_id.is_(None),
        )
        query = query.where(done if f.reviewed == "yes" else ~done)
    if f.criterion and f.criterion_below is not None:
        query = query.where(
            exists().where(
                ScoreSuggestion.interaction_id == Interaction.id,
                ScoreSuggestion.criterion_id == Criterion.id,
                Criterion.key == f.criterion,
                ScoreSuggestion.score < f.criterion_below / 100,
            )
        )
    if f.tag:
        query = query.where(
            exists().where(
                TagAssignment.interaction_id == Interaction.id,
                TagAssignment.tag_id == Tag.id,
                Tag.key == f.tag,
                TagAssignment.state != "rejected",
            )
        )
    if f.q:
        dialect = db.session.get_bind().dialect.name
        query = query.where(
            exists().where(
                Transcript.interaction_id == Interaction.id,
                Segment.transcript_id == Transcript.id,
                _text_match(f.q, dialect),
            )
        )
    return query.order_by(*SORTS[f.sort])


def filter_choices() -> dict[str, Any]:
    return {
        "agents": list(db.session.execute(select(Agent.id, Agent.name).order_by(Agent.name))),
        "teams": list(db.session.execute(select(Team.id, Team.name).order_by(Team.name))),
        "channels": [c.value for c in Channel],
        "statuses": [s.value for s in Status],
        "criteria": list(
            db.session.execute(
                select(Criterion.key, func.min(Criterion.label))
                .group_by(Criterion.key)
                .order_by(Criterion.key)
            )
        ),
        "tags": list(
            db.session.execute(
                select(Tag.key, func.min(Tag.name)).group_by(Tag.key).order_by(Tag.key)
            )
        ),
        "sorts": {
            "newest": "Newest first",
            "oldest": "Oldest first",
            "ai_low": "AI total, lowest first",
            "ai_high": "AI total, highest first",
        },
    }


def reviewed_ids(interaction_ids: list[int]) -> dict[int, str]:
    """Status of the evaluation of each listed interaction, for the list's badge column."""
    if not interaction_ids:
        return {}
    rows = db.session.execute(
        select(Evaluation.interaction_id, Evaluation.status).where(
            Evaluation.interaction_id.in_(interaction_ids), Evaluation.calibration_id.is_(None)
        )
    )
    return {iid: status.value for iid, status in rows}
