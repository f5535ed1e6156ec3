"""Constants and errors shared by the coaching services."""

from __future__ import annotations

from collections.abc import Mapping

from qa_app.coaching.models import (
    AssignmentStatus,
)
from qa_app.reviews.models import (
    EvaluationStatus,
)

RECENT_DAYS = 180  # recommendations read at most this far back (the policy's last N within it)
REMIND_DAYS = 3  # an open assignment due within this many days shows as a reminder
WINDOW_N = 5  # evaluations before assignment and after completion compared in reports
REPORT_MIN_EVALUATIONS = 3  # below this many on either side the report says "not enough data"
SCORED = (
    EvaluationStatus.SUBMITTED,
    EvaluationStatus.ACKNOWLEDGED,
    EvaluationStatus.DISPUTED,
    EvaluationStatus.RESOLVED,
)
# what a module may train before any rubric is stored: the default rubric's criteria
DEFAULT_CRITERIA = {
    "closing",
    "disclosure",
    "empathy",
    "greeting",
    "resolution",
    "scripted_phrasing",
}
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.OVERDUE)


class ModuleInvalid(ValueError):
    """A module (edited or imported) failed validation; ``fields`` maps form field -> problems."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(p for ps in self.fields.values() for p in ps))


class NotAllowed(ValueError):
    """The action does not fit the object's state (e.g. a quiz on a completed assignment)."""
