"""Finding interactions to review: filters and full-text search over transcripts.

Search reads the redacted text, so a search box cannot be used to probe for card numbers or
names that the transcript view hides. SQLite uses an FTS5 index kept in sync by triggers,
PostgreSQL its full-text engine on a stored, GIN-indexed tsvector column (both created in
revision b5e2f1a90c11); results are ranked and each row shows its best-matching line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Select, and_, column, exists, func, literal_column, select, table, true

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
            q="".join(ch for ch in args.get("q") or "" if ch.isprintable()).strip()[:200],
            sort=_choice(args.get("sort"), set(SORTS) | {"relevance"})
            or ("relevance" if (args.get("q") or "").strip() else "newest"),
        )

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (for pagination links)."""
        names = {"agent_id": "agent", "team_id": "team", "date_from": "from", "date_to": "to"}
        return {
            names.get(k, k): (v.isoformat() if isinstance(v, date) else v)
            for k, v in asdict(self).items()
            if v not in (None, "") and not (k == "sort" and v == self.default_sort)
        }

    @property
    def default_sort(self) -> str:
        """Best match first while searching, newest first otherwise."""
        return "relevance" if self.q else "newest"

    @property
    def active(self) -> bool:
        return bool(set(self.as_args()) - {"sort"})


# --- full-text search --------------------------------------------------------------------

FTS_TABLE = "segments_fts"  # SQLite: FTS5 over segments.redacted_text (revision b5e2f1a90c11)
PG_INDEX = "ix_segments_redacted_tsv"  # PostgreSQL: GIN on ...
PG_COLUMN = "redacted_tsv"  # ... this stored to_tsvector('english', redacted_text)
MARK_OPEN, MARK_CLOSE = "\u27e6", "\u27e7"  # highlight markers, turned into <mark> after escaping
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_PG_CONFIG = literal_column("'english'::regconfig")  # the configuration of the stored vector


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic autogenerate hook: the search structures are created by hand in a migration
    and have no model, so the drift check must not offer to drop them."""
    if reflected and compare_to is None:
        if type_ == "table" and (name or "").startswith(FTS_TABLE):
            return False
        if type_ == "column" and name == PG_COLUMN and obj.table.name == "segments":
            return False
    return not (type_ == "index" and name == PG_INDEX)


@dataclass(frozen=True)
class TextQuery:
    """A search box parsed the way PostgreSQL's ``websearch_to_tsquery`` reads it: words and
    "quoted phrases" must all occur, ``or`` between two terms offers alternatives, ``-term``
    excludes. ``groups`` are ANDed; the terms of one group are ORed."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...]

    @property
    def has_words(self) -> bool:
        return bool(self.groups)


def _searchable(term: str) -> str | None:
    term = "".join(ch for ch in term if ch.isprintable()).strip()
    return term if any(ch.isalnum() for ch in term) else None


def parse_query(q: str) -> TextQuery:
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for match in _TERM.finditer(q):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or":
            join_next = bool(groups)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        term = _searchable(phrase if phrase is not None else word)
        if term is None:
            continue
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return TextQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def _fts5_string(term: str) -> str:
    """An FTS5 string literal: the tokenizer splits it, so no operator or ``*`` survives."""
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(query: TextQuery) -> str:
    """The MATCH expression for ``query`` (which must have words): every user term quoted."""
    parts = [
        "(" + " OR ".join(_fts5_string(t) for t in group) + ")"
        if len(group) > 1
        else _fts5_string(group[0])
        for group in query.groups
    ]
    expression = " AND ".join(parts)
    for term in query.excluded:
        expression = f"({expression}) NOT {_fts5_string(term)}"
    return expression


def _fts5_matches(parsed: TextQuery) -> Any:
    """(rowid, rank) of matching segments; FTS5's ``rank`` is bm25, lower is better. Kept a
    subquery: FTS5 refuses its ranking functions inside an aggregate over a join."""
    fts = table(FTS_TABLE, column("rowid"), column("rank"))
    return (
        select(fts.c.rowid, fts.c.rank)
        .where(literal_column(FTS_TABLE).op("MATCH")(fts5_expression(parsed)))
        .subquery("matches")
    )


def _pg_tsquery(q: str) -> Any:
    return func.websearch_to_tsquery(_PG_CONFIG, q)


def _pg_document() -> Any:
    """The stored ``to_tsvector('english', redacted_text)`` (recomputing it costs ~20 us a line)."""
    return literal_column(f"segments.{PG_COLUMN}")


def _text_match(q: str, dialect: str) -> Any:
    """A condition on ``Segment``: the segment matches the search box. A query of symbols only
    (e.g. ``%``) has no word for the index, so it is matched literally."""
    parsed = parse_query(q)
    if not parsed.has_words:
        return _literal_match(q)
    if dialect == "sqlite":
        matches = _fts5_matches(parsed)
        return Segment.id.in_(select(matches.c.rowid))
    return _pg_document().op("@@")(_pg_tsquery(q))


def _ranks(interaction_ids: list[int], q: str) -> dict[int, float]:
    """Best segment score per interaction (lower is better: bm25, or minus ``ts_rank_cd``),
    computed only for the given (few) interactions."""
    parsed = parse_query(q)
    if not interaction_ids or not parsed.has_words:
        return {}
    in_set = Transcript.interaction_id.in_(interaction_ids)
    if db.session.get_bind().dialect.name == "sqlite":
        matches = _fts5_matches(parsed)
        query = (
            select(Transcript.interaction_id, func.min(matches.c.rank))
            .select_from(matches)
            .join(Segment, Segment.id == matches.c.rowid)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(in_set)
        )
    else:
        tsquery = _pg_tsquery(q)
        query = (
            select(Transcript.interaction_id, -func.max(func.ts_rank_cd(_pg_document(), tsquery)))
            .select_from(Segment)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(in_set, _pg_document().op("@@")(tsquery))
        )
    rows = db.session.execute(query.group_by(Transcript.interaction_id))
    return {iid: float(rank) for iid, rank in rows}


def _literal_match(q: str) -> Any:
    """A query of symbols only (e.g. ``%``) has no words for the index: match it literally."""
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
        query = query.where(
            exists().where(
                Transcript.interaction_id == Interaction.id,
                Segment.transcript_id == Transcript.id,
                _text_match(f.q, db.session.get_bind().dialect.name),
            )
        )
    return query.order_by(*SORTS.get(f.sort, SORTS["newest"]))


@dataclass(frozen=True)
class ResultPage:
    """One page of the list. Counting stops at ``COUNT_CAP``: past it ``capped`` is set and
    ``total`` is a floor (an exact count of 60,000 matches costs more than it tells)."""

    items: list[Interaction]
    page: int
    per_page: int
    total: int
    capped: bool
    ranked: bool
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int | None:
        return None if self.capped else max(1, -(-self.total // self.per_page))


COUNT_CAP = 1000
SEARCH_COUNT_CAP = 500  # finding each match costs more when a transcript must be read


def find_interactions(
    user: User, f: InteractionFilters, page: int = 1, per_page: int = 25
) -> ResultPage:
    """The list page: filtered, then ranked by relevance when searching and few enough calls
    match to rank them all (else newest first), with a count that stops at a cap."""
    page = max(1, page)
    query = search_interactions(user, f)
    cap = SEARCH_COUNT_CAP if f.q else COUNT_CAP
    head = db.session.execute(
        select(Interaction.id, Interaction.started_at)
        .where(query.whereclause if query.whereclause is not None else true())
        .limit(cap + 1)
    ).all()
    capped = len(head) > cap
    total = min(len(head), cap)
    ranked = bool(f.q) and f.sort == "relevance" and not capped and parse_query(f.q).has_words
    if not ranked:
        rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
        return ResultPage(
            rows[:per_page], page, per_page, total, capped, False, len(rows) > per_page
        )
    ranks = _ranks([row.id for row in head], f.q)
    order = sorted(head, key=lambda r: (ranks.get(r.id, 0.0), -r.started_at.timestamp(), -r.id))
    wanted = [row.id for row in order[(page - 1) * per_page : page * per_page]]
    loaded = {i.id: i for i in db.session.scalars(query.where(Interaction.id.in_(wanted)))}
    items = [loaded[i] for i in wanted if i in loaded]
    return ResultPage(items, page, per_page, total, False, True, page * per_page < total)


def snippets(interaction_ids: list[int], q: str) -> dict[int, Markup]:
    """The best-matching line of each listed interaction, HTML-escaped with the searched words
    in ``<mark>``; only the redacted text is read."""
    if not interaction_ids or not q:
        return {}
    parsed = parse_query(q)
    dialect = db.session.get_bind().dialect.name
    in_page = Transcript.interaction_id.in_(interaction_ids)
    if not parsed.has_words:
        rows = db.session.execute(
            select(Transcript.interaction_id, Segment.redacted_text, literal_column("0"))
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(in_page, _literal_match(q))
            .order_by(Segment.position)
        )
        words = [w for w in q.split() if w][:8]
        rows = [(iid, _mark_literal(text_, words), rank) for iid, text_, rank in rows]
    elif dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        rows = db.session.execute(
            select(
                Transcript.interaction_id,
                func.snippet(literal_column(FTS_TABLE), 0, MARK_OPEN, MARK_CLOSE, "…", 14),
                literal_column(f"bm25({FTS_TABLE})"),
            )
            .select_from(fts)
            .join(Segment, Segment.id == fts.c.rowid)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(literal_column(FTS_TABLE).op("MATCH")(fts5_expression(parsed)), in_page)
        )
    else:
        tsquery = _pg_tsquery(q)
        options = f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=8"
        rows = db.session.execute(
            select(
                Transcript.interaction_id,
                func.ts_headline(_PG_CONFIG, Segment.redacted_text, tsquery, options),
                -func.ts_rank_cd(_pg_document(), tsquery),
            )
            .select_from(Segment)
            .join(Transcript, Transcript.id == Segment.transcript_id)
            .where(in_page, _pg_document().op("@@")(tsquery))
        )
    best: dict[int, tuple[float, str]] = {}
    for iid, fragment, rank in rows:
        if iid not in best or rank < best[iid][0]:
            best[iid] = (rank, fragment)
    return {iid: _highlight(fragment) for iid, (_rank, fragment) in best.items()}


def _mark_literal(text_: str, words: list[str]) -> str:
    for word in words:
        text_ = re.sub(
            re.escape(word),
            lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE,
            text_,
            flags=re.IGNORECASE,
        )
    return text_


def _highlight(fragment: str) -> Markup:
    escaped = str(escape(fragment))
    return Markup(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


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
            "relevance": "Best match",
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
