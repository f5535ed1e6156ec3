from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from qa_app.auth.models import Role

ROLE_CHOICES = [SelectChoice(r.value, r.value.capitalize()) for r in Role]


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    agent_id = SelectField("Agent profile", coerce=int, validators=[Optional()])
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(min=10, max=256, message="Use at least 10 characters.")],
    )

    def validate_agent_id(self, field: SelectField) -> None:
        if self.role.data == Role.AGENT.value and not field.data:
            raise ValidationError("An agent user must be linked to an agent profile.")
        if self.role.data != Role.AGENT.value and field.data:
            raise ValidationError("Only agent users are linked to an agent profile.")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=500)])


class AgentForm(FlaskForm):
    name = StringField("Agent name", validators=[DataRequired(), Length(max=120)])
    employee_ref = StringField("Employee reference", validators=[Optional(), Length(max=64)])
    team_id = SelectField("Team", coerce=int, validators=[Optional()])


class RubricUploadForm(FlaskForm):
    file = FileField(
        "Rubric file",
        validators=[
            FileRequired("Choose a rubric file."),
            FileAllowed(["yaml", "yml", "json"], "Upload a .yaml, .yml or .json rubric."),
        ],
    )
    activate = BooleanField("Make it the active rubric now")


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""
