"""Forms of the review loop; each turns into a service dataclass before it leaves the view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from qa_app.reviews.calibration import NewCalibration
from qa_app.reviews.disputes import DisputeInput, Resolution
from qa_app.reviews.models import Criterion, Evaluation
from qa_app.reviews.sampling import KINDS, NewRule
from qa_app.reviews.services import ItemInput, ScorecardInput


class ScorecardForm(FlaskForm):
    """Fields per criterion are added by :func:`scorecard_form` (the rubric decides them)."""

    version = HiddenField()
    comment = TextAreaField("Overall comment", validators=[Length(max=4000)])
    comment_moment = FloatField("Moment (s)", validators=[Optional(), NumberRange(min=0)])
    private_note = TextAreaField("Private note for reviewers", validators=[Length(max=4000)])


def scorecard_form(criteria: Sequence[Criterion], **kwargs: Any) -> ScorecardForm:
    class _Form(ScorecardForm):
        pass

    for c in criteria:
        setattr(
            _Form,
            f"score_{c.id}",
            IntegerField(
                c.label,
                validators=[Optional(), NumberRange(0, 100, "Use a score from 0 to 100.")],
            ),
        )
        setattr(_Form, f"na_{c.id}", BooleanField("N/A"))
        setattr(_Form, f"comment_{c.id}", TextAreaField("Comment", validators=[Length(max=2000)]))
        setattr(
            _Form,
            f"moment_{c.id}",
            FloatField("Moment (s)", validators=[Optional(), NumberRange(min=0)]),
        )
    return _Form(**kwargs)


def scorecard_data(criteria: Sequence[Criterion], rows: list[dict[str, Any]], evaluation: Any):
    """Initial form values: the saved draft, or the AI's suggestions for a new one."""
    data: dict[str, Any] = {}
    for row in rows:
        c, item, suggestion = row["criterion"], row["item"], row["suggestion"]
        if item is not None:
            score, is_na = item.score, item.is_na
            data[f"comment_{c.id}"] = item.comment
            data[f"moment_{c.id}"] = item.moment_s
        else:
            score = suggestion.score if suggestion else None
            is_na = suggestion is not None and score is None and c.na_allowed
        data[f"score_{c.id}"] = None if score is None else round(score * 100)
        data[f"na_{c.id}"] = is_na
    if evaluation is not None:
        data["version"] = str(evaluation.version)
        data["comment"] = evaluation.comment
        data["comment_moment"] = evaluation.comment_moment_s
        data["private_note"] = evaluation.private_note
    return data


def to_scorecard_input(form: ScorecardForm, criteria: Sequence[Criterion]) -> ScorecardInput:
    items = []
    for c in criteria:
        score = form[f"score_{c.id}"].data
        items.append(
            ItemInput(
                criterion_id=c.id,
                score=None if score is None else score / 100,
                is_na=bool(form[f"na_{c.id}"].data),
                comment=form[f"comment_{c.id}"].data or "",
                moment_s=form[f"moment_{c.id}"].data,
            )
        )
    version = (form.version.data or "").strip()
    return ScorecardInput(
        version=int(version) if version.isdigit() else None,
        items=tuple(items),
        comment=form.comment.data or "",
        comment_moment_s=form.comment_moment.data,
        private_note=form.private_note.data or "",
    )


class DisputeForm(FlaskForm):
    item_id = SelectField("Criterion", coerce=int, validators=[DataRequired()])
    reason = TextAreaField(
        "Why the score is not right",
        validators=[DataRequired(), Length(min=10, max=2000, message="10 to 2000 characters.")],
    )

    def set_choices(self, evaluation: Evaluation) -> None:
        disputed = {d.item_id for d in evaluation.disputes}
        self.item_id.choices = [
            SelectChoice(i.id, i.criterion.label)
            for i in sorted(evaluation.items, key=lambda i: i.criterion.position)
            if i.id not in disputed
        ]

    def to_input(self) -> DisputeInput:
        return DisputeInput(item_id=self.item_id.data, reason=self.reason.data or "")


class ResolveForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice("accept", "Accept and rescore"), SelectChoice("decline", "Decline")],
        validators=[DataRequired()],
    )
    new_score = DecimalField(
        "New score (0-100)", places=0, validators=[Optional(), NumberRange(0, 100)]
    )
    note = TextAreaField("Note to the agent", validators=[Length(max=2000)])

    def to_input(self) -> Resolution:
        score = self.new_score.data
        return Resolution(
            accept=self.decision.data == "accept",
            note=self.note.data or "",
            new_score=None if score is None else float(score) / 100,
        )


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (acknowledge, mark notifications read)."""


class RuleForm(FlaskForm):
    queue_name = StringField("Queue", validators=[DataRequired(), Length(max=120)])
    kind = SelectField(
        "Rule", choices=[SelectChoice(k, v) for k, v in KINDS.items()], validators=[DataRequired()]
    )
    team_id = SelectField("Team", coerce=int)
    reviewer_id = SelectField("Reviewer", coerce=int)
    per_agent = IntegerField("Per agent", default=2, validators=[Optional(), NumberRange(1, 50)])
    threshold = FloatField(
        "AI total below", default=60, validators=[Optional(), NumberRange(0, 100)]
    )
    days = IntegerField("Window (days)", default=7, validators=[DataRequired(), NumberRange(1, 90)])

    def set_choices(self, teams: list[tuple[int, str]], reviewers: list[tuple[int, str]]) -> None:
        self.team_id.choices = [SelectChoice(0, "Every team")] + [
            SelectChoice(i, n) for i, n in teams
        ]
        self.reviewer_id.choices = [SelectChoice(0, "Any reviewer")] + [
            SelectChoice(i, n) for i, n in reviewers
        ]

    def to_input(self) -> NewRule:
        return NewRule(
            queue_name=self.queue_name.data or "",
            kind=self.kind.data,
            team_id=self.team_id.data or None,
            reviewer_id=self.reviewer_id.data or None,
            per_agent=self.per_agent.data or 2,
            threshold=self.threshold.data if self.threshold.data is not None else 60.0,
            days=self.days.data or 7,
        )


class CalibrationForm(FlaskForm):
    interaction_id = IntegerField("Interaction #", validators=[DataRequired()])
    title = StringField("Title", validators=[Length(max=200)])
    participants = SelectMultipleField("Reviewers to invite", coerce=int)

    def to_input(self) -> NewCalibration:
        return NewCalibration(
            interaction_id=self.interaction_id.data or 0,
            title=self.title.data or "",
            participant_ids=tuple(self.participants.data or ()),
        )
