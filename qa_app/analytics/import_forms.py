from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportTextsForm(FlaskForm):
    file = FileField("CSV or JSONL file", validators=[FileRequired("Choose a file to import.")])
