from __future__ import annotations

from datetime import timedelta
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from qa_app.analytics.services import MAX_DAYS

ZONES = sorted(available_timezones())


class FiltersForm(FlaskForm):
    """Read-only filters in the query string: no CSRF needed for a GET."""

    class Meta:
        csrf = False

    first = DateField("From", validators=[Optional()])
    last = DateField("To", validators=[Optional()])
    tz = SelectField("Time zone", validators=[Optional()])
    team = SelectField("Team", validators=[Optional()])
    agent = SelectField("Agent", validators=[Optional()])
    channel = SelectField("Channel", validators=[Optional()])
    queue = SelectField("Queue", validators=[Optional()])
    taxonomy = SelectField("Taxonomy version", validators=[Optional()])
    tag = SelectField("Tag", validators=[Optional()])

    def validate_last(self, field: DateField) -> None:
        if self.first.data and field.data:
            if field.data < self.first.data:
                raise ValidationError("The end is before the start.")
            if field.data - self.first.data > timedelta(days=MAX_DAYS):
                raise ValidationError(f"Pick at most {MAX_DAYS} days.")
