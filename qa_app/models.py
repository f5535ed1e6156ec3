"""Every model, imported once so the mapper registry and Alembic see the whole schema."""

from qa_app.admin.models import AuditEvent
from qa_app.agents.models import Agent, Team
from qa_app.analytics.models import EmergingSnapshot, Event, HourlyCount, RollupState
from qa_app.api.models import ApiKey
from qa_app.auth.models import LoginAttempt, Role, User
from qa_app.calls.models import Interaction, Recording, Segment, Transcript
from qa_app.coaching.models import (
    Assignment,
    CoachingModule,
    CoachingMoment,
    CoachingPolicy,
    CoachingSession,
    QuizAttempt,
)
from qa_app.reviews.models import (
    CalibrationSession,
    Criterion,
    Dispute,
    Evaluation,
    EvaluationItem,
    Notification,
    QueueEntry,
    ReviewQueue,
    Rubric,
    SamplingRule,
    ScoreSuggestion,
)
from qa_app.tagging.models import (
    SegmentEmbeddings,
    Tag,
    TagAssignment,
    TaggingRun,
    Taxonomy,
)

__all__ = [
    "Agent",
    "ApiKey",
    "Assignment",
    "AuditEvent",
    "CalibrationSession",
    "CoachingModule",
    "CoachingPolicy",
    "CoachingMoment",
    "CoachingSession",
    "Criterion",
    "Dispute",
    "EmergingSnapshot",
    "Evaluation",
    "EvaluationItem",
    "Event",
    "HourlyCount",
    "Interaction",
    "LoginAttempt",
    "Notification",
    "QueueEntry",
    "QuizAttempt",
    "Recording",
    "ReviewQueue",
    "Role",
    "RollupState",
    "Rubric",
    "SamplingRule",
    "ScoreSuggestion",
    "Segment",
    "SegmentEmbeddings",
    "Tag",
    "TagAssignment",
    "TaggingRun",
    "Taxonomy",
    "Team",
    "Transcript",
    "User",
]
