"""AI score suggestions: rubrics stored from the scoring library, interactions scored with them.

The library takes plain data; this module turns rows into that data and the score sheets back
into ``ScoreSuggestion`` rows. Re-scoring replaces an interaction's suggestions, never adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

import scoring
from qa_app.calls.models import Interaction, Transcript
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
    """The transcription JSON shape the scoring library reads."""
    segments = interaction.transcript.segments if interaction.transcript else []
    return {
        "interaction_id": str(interaction.id),
        "agent_id": str(interaction.agent_id) if interaction.agent_id else None,
        "channel": interaction.channel.value,
        "segments": [
            {
                "id": s.position,
                "speaker": s.speaker.value,
                "start": s.start_s,
                "end": s.end_s,
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
        .order_by(Interaction.started_at.desc())
        .limit(HISTORY_LIMIT)
    )
    result = []
    for other in others:
        try:
            result.append(_as_library_interaction(other))
        except scoring.InputError:
            continue  # e.g. no agent turns: nothing to compare against
    return tuple(result)


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


def score_interaction(
    interaction: Interaction, rubric: Rubric, *, revisit_previous: bool = True
) -> scoring.ScoreSheet:
    """Score one interaction with ``rubric`` and replace its stored suggestions.

    A new contact from the same customer also rescores their previous contact: its resolution
    is lowered by the repeat (the rubric's ``repeat_contact_days`` decides how far back counts).
    """
    context = scoring.ScoringContext(
        history=_history(interaction), repeat_contact_days=_repeat_contact_days(interaction)
    )
    sheet = scoring.score([_as_library_interaction(interaction)], rubric_spec(rubric), context)[0]
    store_score_sheet(interaction, rubric, sheet)
    previous = _previous_contact(interaction) if revisit_previous else None
    if previous is not None and previous.transcript is not None:
        try:
            score_interaction(previous, rubric, revisit_previous=False)
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
