from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from qa_app.calls.models import Direction
from qa_app.storage import ALLOWED_SUFFIXES

EXTENSIONS = sorted(s.lstrip(".") for s in ALLOWED_SUFFIXES)
ACCEPT = ",".join(sorted(ALLOWED_SUFFIXES))  # the file picker's filter


class UploadForm(FlaskForm):
    files = MultipleFileField(
        "Recordings",
        validators=[
            FileRequired(message="Choose at least one recording."),
            FileAllowed(EXTENSIONS, message=f"Only audio recordings: {', '.join(EXTENSIONS)}."),
        ],
    )
    agent_id = SelectField("Agent", coerce=int, validators=[Optional()])
    started_at = DateTimeLocalField(
        "Call started (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    customer_ref = StringField("Customer reference", validators=[Optional(), Length(max=120)])
    direction = SelectField(
        "Direction",
        choices=[SelectChoice(d.value, d.value.capitalize()) for d in Direction],
        default=Direction.INBOUND.value,
    )
    queue = StringField("Queue", validators=[Optional(), Length(max=120)])


class ActionForm(FlaskForm):
    """A CSRF-protected button (retry)."""
