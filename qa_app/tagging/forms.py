from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from qa_app.tagging.models import Tag
from qa_app.tagging.services import TagData

SPEAKERS = [
    SelectChoice("any", "Anyone"),
    SelectChoice("customer", "Customer"),
    SelectChoice("agent", "Agent"),
]
WINDOWS = [
    SelectChoice("", "Whole conversation"),
    SelectChoice("first_s", "First seconds"),
    SelectChoice("last_s", "Last seconds"),
    SelectChoice("first_turns", "First turns"),
]


class ActionForm(FlaskForm):
    """A CSRF-protected button (edit, back-test, publish, discard, retire)."""


class TagForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=80)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind")
    parent = SelectField("Parent", default="")
    description = TextAreaField("Description", validators=[Optional()])
    examples = TextAreaField("Examples (one per line)", validators=[Optional()])
    negative_examples = TextAreaField("Negative examples (one per line)", validators=[Optional()])
    rule_any = TextAreaField("Any of these phrases", validators=[Optional()])
    rule_all = TextAreaField("All of these phrases", validators=[Optional()])
    rule_none = TextAreaField("None of these phrases", validators=[Optional()])
    near_terms = StringField("Near: terms (comma-separated)", validators=[Optional()])
    near_within = IntegerField(
        "within (words)", validators=[Optional(), NumberRange(min=1, max=100)]
    )
    speaker = SelectField("Spoken by", choices=SPEAKERS, default="any")
    window = SelectField("Where", choices=WINDOWS, default="")
    window_value = DecimalField("Window size", places=None, validators=[Optional()])
    threshold = DecimalField(
        "Threshold", places=None, validators=[Optional(), NumberRange(min=0.01, max=0.99)]
    )


class MoveForm(FlaskForm):
    new_parent = SelectField("Move under", default="")


class MergeForm(FlaskForm):
    target = SelectField("Merge into", validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(
        "Taxonomy file",
        validators=[
            FileRequired(message="Choose a YAML or JSON file."),
            FileAllowed(["yaml", "yml", "json"], message="Only .yaml, .yml or .json files."),
        ],
    )


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _rule(form: TagForm) -> dict[str, Any] | None:
    rule: dict[str, Any] = {}
    for name, field in (("any", form.rule_any), ("all", form.rule_all), ("none", form.rule_none)):
        phrases = _lines(field.data)
        if phrases:
            rule[name] = list(phrases)
    terms = [t.strip() for t in (form.near_terms.data or "").split(",") if t.strip()]
    if terms:
        rule["near"] = {"terms": terms, "within": form.near_within.data or 8}
    if form.speaker.data and form.speaker.data != "any":
        rule["speaker"] = form.speaker.data
    if form.window.data:
        value = form.window_value.data
        number = float(value) if value is not None else 0
        if form.window.data == "first_turns" and number == int(number):
            number = int(number)
        rule["window"] = {form.window.data: number}
    return rule or None


def tag_data(form: TagForm) -> TagData:
    """The submitted form as the service takes it (the library validates the whole)."""
    threshold = form.threshold.data
    return TagData(
        key=(form.key.data or "").strip(),
        name=(form.name.data or "").strip(),
        kind=form.kind.data or "",
        parent=form.parent.data or None,
        description=(form.description.data or "").strip(),
        examples=_lines(form.examples.data),
        negative_examples=_lines(form.negative_examples.data),
        rule=_rule(form),
        threshold=None if threshold is None else float(threshold),
    )


def fill_tag_form(form: TagForm, tag: Tag) -> None:
    """Prefill the form from a stored tag (GET of the edit page)."""
    rule = tag.rule or {}
    form.key.data = tag.key
    form.name.data = tag.name
    form.kind.data = tag.kind
    form.parent.data = tag.parent.key if tag.parent else ""
    form.description.data = tag.description
    form.examples.data = "\n".join(tag.examples)
    form.negative_examples.data = "\n".join(tag.negative_examples)
    form.rule_any.data = "\n".join(rule.get("any", []))
    form.rule_all.data = "\n".join(rule.get("all", []))
    form.rule_none.data = "\n".join(rule.get("none", []))
    near = rule.get("near") or {}
    form.near_terms.data = ", ".join(near.get("terms", []))
    form.near_within.data = near.get("within") if near else None
    form.speaker.data = rule.get("speaker", "any")
    window = rule.get("window") or {}
    form.window.data = next(iter(window), "")
    form.window_value.data = next(iter(window.values()), None)
    form.threshold.data = tag.threshold


def key_from_name(name: str) -> str:
    """A suggested key for a new tag named ``name`` (the user may change it)."""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "_".join(words)[:80]
