"""Rubric administration: upload and validate, activate, download. Old evaluations keep the
rubric version they were scored with because an upload never changes a stored version."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from sqlalchemy import select

import scoring
from qa_app.admin.services import record_audit
from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.reviews.models import Rubric
from qa_app.reviews.suggestions import store_rubric


class RubricRejected(ValueError):
    """The uploaded document is not a usable rubric; the message says why and what to do."""


@dataclass(frozen=True)
class RubricUpload:
    filename: str
    text: str
    activate: bool


def list_rubrics() -> list[Rubric]:
    return list(db.session.scalars(select(Rubric).order_by(Rubric.name, Rubric.created_at.desc())))


def get_rubric(rubric_id: int) -> Rubric | None:
    return db.session.get(Rubric, rubric_id)


def upload_rubric(upload: RubricUpload, actor: User) -> Rubric:
    suffix = ".json" if upload.filename.lower().endswith(".json") else ".yaml"
    try:
        spec = scoring.parse_rubric(upload.text, suffix)
    except scoring.RubricError as exc:
        raise RubricRejected(f"{upload.filename}: {exc}") from exc
    existing = db.session.scalar(
        select(Rubric).where(Rubric.name == spec.name, Rubric.version == spec.version)
    )
    if existing is not None and existing.definition != scoring.rubric_to_dict(spec):
        raise RubricRejected(
            f"{spec.name} version {spec.version} already exists with different content. "
            "Raise the version number in the file to keep both."
        )
    rubric = store_rubric(spec, activate=upload.activate)
    record_audit(
        actor,
        "rubric.upload",
        rubric,
        after={"name": spec.name, "version": spec.version, "active": rubric.is_active},
    )
    return rubric


def activate_rubric(rubric: Rubric, actor: User) -> None:
    store_rubric(scoring.rubric_from_dict(rubric.definition), activate=True)
    record_audit(actor, "rubric.activate", rubric, after={"version": rubric.version})


def rubric_document(rubric: Rubric) -> str:
    return yaml.safe_dump(rubric.definition, sort_keys=False, allow_unicode=True)
