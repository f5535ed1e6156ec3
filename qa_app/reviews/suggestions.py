"""AI score suggestions: rubrics stored from the scoring library, interactions scored with them.

The library takes plain data; this module turns rows into that data and the score sheets back
into ``ScoreSuggestion`` rows. Re-scoring replaces an interaction's suggestions, never adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

import scoring
from qa_app.calls.models import Channel, Interaction, Transcript
from qa_app.extensions import db
from qa_app.reviews.models import Criterion, Rubric, ScoreSuggestion

HISTORY_DAYS = 30
HISTORY_LIMIT = 50
REPEAT_WINDOW_DAYS = 30  # the longest repeat-contact window a rubric may reasonably set


def store_rubric(spec: scoring.Rubric, *, activate: bool = False) -> Rubric:
    """Save a validated rubric (idempotent on name and version), optionally as the active one."""
    rubric = db.session.scalar(
        select(Rubric).where(Rubric.name == spec.name, Rubric.version == spec.version)
    )
    if rubric is None:
        rubric = Rubric(
            name=spec.name, version=spec.version, definition=scoring.rubric_to_dict(spec)
        )
        for position, c in enumerate(spec.criteria):
            rubric.criteria.append(
                Criterion(
                    key=c.key,
                    label=c.key.replace("_", " ").capitalize(),
                    section=c.section,
                    position=position,
                    weight=c.weight,
                    na_allowed=c.na_allowed,
                    is_critical=c.critical,
                    settings=dict(c.settings),
                    guidance=c.guidance,
                )
            )
        db.session.add(rubric)
    if activate:
        for other in db.session.scalars(select(Rubric).where(Rubric.is_active.is_(True))):
            other.is_active = False
        rubric.is_active = True
    db.session.flush()
    return rubric


def rubric_spec(rubric: Rubric) -> scoring.Rubric:
    return scoring.rubric_from_dict(rubric.definition)


def transcript_dict(interaction: Interaction) -> dict[str, Any]:
    """The transcription JSON shape the scoring library reads.

    Text channels are stored with placeholder times (the columns are not nullable); the library
    reads them untimed, so time-bound criteria (the disclosure's first minute) can be N/A there.
    """
    segments = interaction.transcript.segments if interaction.transcript else []
    timed = interaction.channel == Channel.VOICE
    return {
        "interaction_id": str(interaction.id),
        "agent_id": str(interaction.agent_id) if interaction.agent_id else None,
        "channel": interaction.channel.value,
        "segments": [
            {
                "id": s.position,
                "speaker": s.speaker.value,
                "start": s.start_s if timed else None,
                "end": s.end_s if timed else None,
                "text": s.text,
            }
            for s in segments
        ],
    }


def _as_library_interaction(interaction: Interaction) -> scoring.Interaction:
    return scoring.interaction_from_dict(transcript_dict(interaction), str(interaction.id))


def _history(interaction: Interaction) -> tuple[scoring.Interaction, ...]:
    """The same agent's recent calls: what cross-call repetition is checked against."""
    if interaction.agent_id is None:
        return ()
    since = interaction.started_at - timedelta(days=HISTORY_DAYS)
    others = db.session.scalars(
        select(Interaction)
        .where(
            Interaction.agent_id == interaction.agent_id,
            Interaction.id != interaction.id,
            Interaction.started_at >= since,
            Interaction.transcript.has(),
        )
        .options(selectinload(Interaction.transcript).selectinload(Transcript.segments))
        .order_by(Interaction.started_at.desc(), Interaction.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return tuple(c for c in (_converted(other) for other in others) if c is not None)


def _converted(interaction: Interaction) -> scoring.Interaction | None:
    try:
        return _as_library_interaction(interaction)
    except scoring.InputError:
        return None  # e.g. no agent turns: nothing to compare against


class HistoryCache:
    """Each agent's transcripts loaded and converted once, for scoring many interactions in a
    row (the demo seed): the same history ``_history`` queries, without 50 loads per call.

    Valid while transcripts do not change; interactions added meanwhile join when scored.
    """

    def __init__(self) -> None:
        self._agents: dict[int, dict[int, tuple[datetime, scoring.Interaction | None]]] = {}

    def _known(self, agent_id: int) -> dict[int, tuple[datetime, scoring.Interaction | None]]:
        if agent_id not in self._agents:
            rows = db.session.scalars(
                select(Interaction)
                .where(Interaction.agent_id == agent_id, Interaction.transcript.has())
                .options(selectinload(Interaction.transcript).selectinload(Transcript.segments))
            )
            self._agents[agent_id] = {i.id: (i.started_at, _converted(i)) for i in rows}
        return self._agents[agent_id]

    def history(self, interaction: Interaction) -> tuple[scoring.Interaction, ...]:
        """What ``_history`` returns, from memory (same filter, order and limit)."""
        if interaction.agent_id is None:
            return ()
        known = self._known(interaction.agent_id)
        if interaction.transcript is not None:
            known[interaction.id] = (interaction.started_at, _converted(interaction))
        since = interaction.started_at - timedelta(days=HISTORY_DAYS)
        recent = sorted(
            ((at, i, c) for i, (at, c) in known.items() if i != interaction.id and at >= since),
            key=lambda row: (row[0], row[1]),
            reverse=True,
        )[:HISTORY_LIMIT]
        return tuple(c for _, _, c in recent if c is not None)


def _same_customer(interaction: Interaction) -> Any:
    return select(Interaction).where(
        Interaction.customer_ref == interaction.customer_ref, Interaction.id != interaction.id
    )


def _repeat_contact_days(interaction: Interaction) -> dict[str, float]:
    """Days until the same customer got in touch again, which tells resolution it did not hold."""
    if not interaction.customer_ref:
        return {}
    later = db.session.scalar(
        _same_customer(interaction)
        .where(Interaction.started_at >= interaction.started_at)
        .with_only_columns(Interaction.started_at)
        .order_by(Interaction.started_at)
        .limit(1)
    )
    if later is None:
        return {}
    return {str(interaction.id): (later - interaction.started_at).total_seconds() / 86400}


def _previous_contact(interaction: Interaction) -> Interaction | None:
    """The same customer's contact just before this one, if it was scored within the window."""
    if not interaction.customer_ref:
        return None
    since = interaction.started_at - timedelta(days=REPEAT_WINDOW_DAYS)
    return db.session.scalar(
        _same_customer(interaction)
        .where(
            Interaction.started_at <= interaction.started_at,
            Interaction.started_at >= since,
            Interaction.scored_rubric_id.is_not(None),
        )
        .order_by(Interaction.started_at.desc())
        .limit(1)
    )


def is_scorable(interaction: Interaction) -> bool:
    """A rubric evaluates an agent: social posts and agentless texts have none to evaluate."""
    if interaction.channel == Channel.SOCIAL:
        return False
    return interaction.channel == Channel.VOICE or interaction.agent_id is not None


def score_interaction(
    interaction: Interaction,
    rubric: Rubric,
    *,
    revisit_previous: bool = True,
    history: HistoryCache | None = None,
) -> scoring.ScoreSheet:
    """Score one interaction with ``rubric`` and replace its stored suggestions.

    A new contact from the same customer also rescores their previous contact: its resolution
    is lowered by the repeat (the rubric's ``repeat_contact_days`` decides how far back counts).

    :param history: a cache shared across many calls in a row; None queries each time.
    :raise scoring.InputError: nothing to score, or no agent to evaluate (``is_scorable``).
    """
    if not is_scorable(interaction):
        raise scoring.InputError("no agent to evaluate: social posts and agentless texts")
    context = scoring.ScoringContext(
        history=history.history(interaction) if history is not None else _history(interaction),
        repeat_contact_days=_repeat_contact_days(interaction),
    )
    sheet = scoring.score([_as_library_interaction(interaction)], rubric_spec(rubric), context)[0]
    store_score_sheet(interaction, rubric, sheet)
    previous = _previous_contact(interaction) if revisit_previous else None
    if previous is not None and previous.transcript is not None:
        try:
            score_interaction(previous, rubric, revisit_previous=False, history=history)
        except scoring.InputError:
            pass  # nothing to score in it (e.g. no agent turn); it keeps its suggestions
    return sheet


def store_score_sheet(interaction: Interaction, rubric: Rubric, sheet: scoring.ScoreSheet) -> None:
    criteria = {c.key: c for c in rubric.criteria}
    db.session.execute(
        delete(ScoreSuggestion).where(ScoreSuggestion.interaction_id == interaction.id)
    )
    for key, result in sheet.criteria.items():
        criterion = criteria.get(key)
        if criterion is None:
            continue
        db.session.add(
            ScoreSuggestion(
                interaction_id=interaction.id,
                criterion_id=criterion.id,
                score=result.score,
                label=result.label[:120],
                confidence=result.confidence,
                evidence=[
                    {
                        "segment": e.segment,
                        "start": e.start,
                        "end": e.end,
                        "quote": e.quote,
                        "reason": e.reason,
                    }
                    for e in result.evidence
                ],
            )
        )
    interaction.ai_total = sheet.total
    interaction.ai_auto_fail = sheet.auto_fail
    interaction.metrics = dict(sheet.metrics)
    interaction.scored_rubric_id = rubric.id
    db.session.flush()


def score_interactions(interactions: Sequence[Interaction], rubric: Rubric) -> int:
    for interaction in interactions:
        score_interaction(interaction, rubric)
    return len(interactions)
