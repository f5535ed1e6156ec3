from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

import training


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ModuleForm(FlaskForm):
    slug = StringField(
        "Module id",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Lowercase letters, digits and dashes."),
        ],
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=600)])
    criteria = CheckboxesField("Criteria it trains", validators=[DataRequired()])
    minutes = IntegerField("Minutes", validators=[DataRequired(), NumberRange(1, 240)])
    content = TextAreaField("Content (Markdown)", validators=[DataRequired()])
    quiz_yaml = TextAreaField("Quiz (YAML)", validators=[DataRequired()])


class ImportForm(FlaskForm):
    files = MultipleFileField("Module files (.md) or a .zip of them")


class ShippedImportForm(FlaskForm):
    """Just the CSRF token: re-import the catalog that ships with callqa."""


class BulkAssignForm(FlaskForm):
    picks = CheckboxesField("Recommendations", validators=[DataRequired("Pick at least one.")])
    due_on = DateField("Due on", validators=[Optional()])


class AssignForm(FlaskForm):
    agent_ids = CheckboxesField("Agents", coerce=int, validators=[DataRequired("Pick an agent.")])
    module_id = SelectField("Module", coerce=int, validators=[DataRequired()])
    due_on = DateField("Due on", validators=[Optional()])


class PolicyForm(FlaskForm):
    is_auto_assign = BooleanField("Assign recommendations automatically")
    threshold = FloatField("Weak below", validators=[DataRequired(), NumberRange(0.05, 1.0)])
    last_n = IntegerField(
        "Recent evaluations counted", validators=[DataRequired(), NumberRange(1, 50)]
    )
    min_evaluations = IntegerField(
        "At least this many evaluations", validators=[DataRequired(), NumberRange(1, 50)]
    )
    ai_weight = FloatField(
        "Weight of an AI suggestion (human = 1)", validators=[Optional(), NumberRange(0.0, 1.0)]
    )
    due_days = IntegerField("Due after (days)", validators=[DataRequired(), NumberRange(1, 120)])


class EmptyForm(FlaskForm):
    """CSRF only (acknowledge, run auto-assign, retire a module)."""


def quiz_form(module: training.Module) -> type[FlaskForm]:
    """A form class with one radio group per question of ``module``'s quiz."""

    class QuizForm(FlaskForm):
        pass

    for question in module.quiz.questions:
        field = RadioField(
            question.prompt,
            choices=[SelectChoice(str(i), text) for i, text in enumerate(question.choices)],
            validators=[DataRequired("Answer this question.")],
        )
        setattr(QuizForm, f"q_{question.id}", field)
    return QuizForm


def quiz_answers(form: FlaskForm, module: training.Module) -> dict[str, Any]:
    return {
        q.id: int(getattr(form, f"q_{q.id}").data)
        if getattr(form, f"q_{q.id}").data not in (None, "")
        else None
        for q in module.quiz.questions
    }


class SessionForm(FlaskForm):
    agent_id = SelectField("Agent", coerce=int, validators=[DataRequired()])
    scheduled_at = DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    action_items = TextAreaField(
        "Action items (one per line)", validators=[Optional(), Length(max=3000)]
    )


class SessionNotesForm(FlaskForm):
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    action_items = TextAreaField(
        "Action items (one per line)", validators=[Optional(), Length(max=3000)]
    )


class MomentForm(FlaskForm):
    interaction_id = SelectField("Call", coerce=int, validators=[DataRequired()])
    at_s = FloatField("At (seconds)", default=0.0, validators=[Optional(), NumberRange(0, 36000)])
    note = StringField("What to look at", validators=[DataRequired(), Length(max=500)])
