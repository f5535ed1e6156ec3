"""Rubric scoring of contact-center interactions, each score with the transcript lines behind it.

Plain data in, plain data out: no web framework, database or job queue.
"""

from scoring.engine import score
from scoring.errors import InputError, RubricError, ScoringError
from scoring.loaders import interaction_from_dict, interaction_from_text, load_interaction
from scoring.metrics import compute_metrics

# Mood comes from its implementation modules, not scoring.mood, so that
# `python -m scoring.mood` does not find that module imported already.
from scoring.mood_analysis import (
    interaction_mood,
    interaction_moods,
    mood_trajectory_score,
    text_moods,
)
from scoring.mood_types import InteractionMood, MoodChange, TextMood, TurnMood
from scoring.redact import (
    BleepSpan,
    PiiSpan,
    Redaction,
    SegmentRedaction,
    redact_segment,
    redact_text,
)
from scoring.redact_eval import evaluate_redaction
from scoring.registry import CriterionInput, register, registered_types
from scoring.rubric import (
    default_rubric,
    load_rubric,
    parse_rubric,
    rubric_from_dict,
    rubric_to_dict,
)
from scoring.tagging_backtest import BacktestReport, TagChange, backtest
from scoring.tagging_core import Tagger, tag, tagger_for
from scoring.tagging_io import item_from_dict
from scoring.tagging_types import TagEvidence, TagMatch, TagResult
from scoring.taxonomy import (
    Rule,
    Tag,
    Taxonomy,
    TaxonomyError,
    demo_taxonomy,
    load_taxonomy,
    taxonomy_from_dict,
    taxonomy_to_dict,
)
from scoring.types import (
    CriterionResult,
    CriterionSpec,
    Evidence,
    Interaction,
    Rubric,
    ScoreSheet,
    ScoringContext,
    Turn,
)

__all__ = [
    "BacktestReport",
    "Rule",
    "Tag",
    "TagChange",
    "TagEvidence",
    "TagMatch",
    "TagResult",
    "Tagger",
    "Taxonomy",
    "TaxonomyError",
    "backtest",
    "demo_taxonomy",
    "item_from_dict",
    "load_taxonomy",
    "tag",
    "tagger_for",
    "taxonomy_from_dict",
    "taxonomy_to_dict",
    "InteractionMood",
    "MoodChange",
    "TextMood",
    "TurnMood",
    "interaction_mood",
    "interaction_moods",
    "mood_trajectory_score",
    "text_moods",
    "BleepSpan",
    "PiiSpan",
    "Redaction",
    "SegmentRedaction",
    "evaluate_redaction",
    "redact_segment",
    "redact_text",
    "CriterionInput",
    "CriterionResult",
    "CriterionSpec",
    "Evidence",
    "InputError",
    "Interaction",
    "Rubric",
    "RubricError",
    "ScoreSheet",
    "ScoringContext",
    "ScoringError",
    "Turn",
    "compute_metrics",
    "default_rubric",
    "interaction_from_dict",
    "interaction_from_text",
    "load_interaction",
    "load_rubric",
    "parse_rubric",
    "register",
    "registered_types",
    "rubric_from_dict",
    "rubric_to_dict",
    "score",
]
