"""Forms of reviewers' tag decisions (CSRF-checked posts from the review and tag pages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

DECISIONS = {"confirm": "Confirm", "reject": "Reject", "undo": "Undo"}


class DecisionForm(FlaskForm):
    decision = StringField(validators=[DataRequired(), AnyOf(list(DECISIONS))])
    next = HiddenField()


class AddTagForm(FlaskForm):
    tag = StringField(validators=[DataRequired(), Length(max=80)])
    next = HiddenField()


class NegativeForm(FlaskForm):
    """A bare POST with CSRF: turn a rejected match into a negative example."""
