from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from qa_app.analytics.events import KINDS

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in KINDS])
    starts_at = DateTimeLocalField("Starts", format=FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends (optional)", format=FORMATS, validators=[Optional()])
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    tags = CheckboxesField("Tags it concerns", validators=[Optional()])
    queues = CheckboxesField("Queues it concerns", validators=[Optional()])
    channels = CheckboxesField("Channels it concerns", validators=[Optional()])

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")


class DeleteEventForm(FlaskForm):
    """Just the CSRF token."""
