"""The coaching module catalog: validate, save, import and export modules."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import yaml
from sqlalchemy import select

import training
from qa_app.admin.services import record_audit
from qa_app.auth.models import User
from qa_app.coaching.common import (
    DEFAULT_CRITERIA,
    ModuleInvalid,
)
from qa_app.coaching.content import (
    library_module,
    module_file_text,
    quiz_to_json,
)
from qa_app.coaching.models import (
    CoachingModule,
)
from qa_app.extensions import db
from qa_app.reviews.models import (
    Criterion,
)


@dataclass(frozen=True)
class ModuleData:
    slug: str
    title: str
    summary: str
    criteria: list[str]
    minutes: int
    content: str
    quiz_yaml: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


def active_modules() -> list[CoachingModule]:
    return list(
        db.session.scalars(
            select(CoachingModule)
            .where(CoachingModule.is_active.is_(True))
            .order_by(CoachingModule.title)
        )
    )


def all_modules() -> list[CoachingModule]:
    return list(db.session.scalars(select(CoachingModule).order_by(CoachingModule.title)))


def get_module(module_id: int) -> CoachingModule | None:
    return db.session.get(CoachingModule, module_id)


def known_criteria() -> list[str]:
    """Criterion keys of every stored rubric: what a module may say it trains."""
    keys = set(db.session.scalars(select(Criterion.key).distinct()))
    return sorted(keys or DEFAULT_CRITERIA)


_FIELD_OF_PROBLEM = re.compile(r"^[^:]*: (title|summary|criteria|minutes|content|quiz)\b")


def _field_problems(problems: Iterable[str]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        match = _FIELD_OF_PROBLEM.match(problem)
        name = match.group(1) if match else "slug"
        text = problem.split(": ", 1)[1] if ": " in problem else problem
        fields["quiz_yaml" if name == "quiz" else name].append(text)
    return dict(fields)


def validate_module(data: ModuleData) -> training.Module:
    """Validate form data with the library's own catalog rules.

    :raise ModuleInvalid: with the problems per form field.
    """
    try:
        quiz = yaml.safe_load(data.quiz_yaml or "")
    except yaml.YAMLError as exc:
        raise ModuleInvalid({"quiz_yaml": [f"not valid YAML: {exc}"]}) from exc
    text = module_file_text(
        title=data.title,
        summary=data.summary,
        criteria=list(data.criteria),
        minutes=data.minutes,
        content=data.content,
        quiz=quiz,
    )
    try:
        return training.parse_module(text, data.slug, known_criteria=known_criteria())
    except training.CatalogError as exc:
        raise ModuleInvalid(_field_problems(exc.problems)) from exc


def _apply(module: CoachingModule, spec: training.Module) -> bool:
    """Copy ``spec`` onto ``module``; True when anything changed."""
    values = {
        "title": spec.title,
        "summary": spec.summary,
        "criteria": list(spec.criteria),
        "minutes": spec.minutes,
        "content_md": spec.content,
        "quiz": quiz_to_json(spec.quiz),
    }
    changed = False
    for name, value in values.items():
        if getattr(module, name) != value:
            setattr(module, name, value)
            changed = True
    return changed


def save_module(
    data: ModuleData, actor: User, module: CoachingModule | None = None
) -> CoachingModule:
    """Create a module or update ``module``; the slug of an existing module never changes (it is
    the file name in exports and the id assignments are measured by)."""
    if module is not None:
        data = ModuleData(**{**data.__dict__, "slug": module.slug})
    spec = validate_module(data)
    if module is None:
        if db.session.scalar(select(CoachingModule.id).where(CoachingModule.slug == spec.id)):
            raise ModuleInvalid({"slug": [f"a module with the id {spec.id!r} already exists"]})
        module = CoachingModule(slug=spec.id)
        db.session.add(module)
        _apply(module, spec)
        db.session.flush()
        record_audit(actor, "module.create", module, after={"slug": module.slug})
    elif _apply(module, spec):
        db.session.flush()
        record_audit(actor, "module.update", module, after={"slug": module.slug})
    return module


def set_module_active(module: CoachingModule, is_active: bool, actor: User) -> None:
    module.is_active = is_active
    record_audit(actor, "module.activate" if is_active else "module.retire", module)
    db.session.flush()


def import_catalog(catalog: Iterable[training.Module], actor: User | None = None) -> ImportReport:
    """Upsert modules by id (slug): importing the same catalog twice changes nothing."""
    existing = {m.slug: m for m in db.session.scalars(select(CoachingModule))}
    created = updated = unchanged = 0
    for spec in catalog:
        module = existing.get(spec.id)
        if module is None:
            module = CoachingModule(slug=spec.id, is_active=True)
            db.session.add(module)
            _apply(module, spec)
            created += 1
        elif _apply(module, spec):
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    if actor is not None and (created or updated):
        record_audit(actor, "catalog.import", None, after={"created": created, "updated": updated})
    return ImportReport(created, updated, unchanged)


def import_shipped_catalog(actor: User | None = None) -> ImportReport:
    return import_catalog(training.load_catalog(), actor)


def parse_upload(files: Iterable[tuple[str, bytes]]) -> list[training.Module]:
    """Modules from uploaded ``.md`` files or ``.zip`` archives of them; all or nothing.

    :raise training.CatalogError: listing every problem in every file.
    """
    texts: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for name, payload in files:
        if name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                    for member in archive.namelist():
                        if member.lower().endswith(".md") and not member.endswith("/"):
                            texts.append((member, archive.read(member)))
            except zipfile.BadZipFile:
                problems.append(f"{name}: not a zip archive")
        elif name.lower().endswith(".md"):
            texts.append((name, payload))
        else:
            problems.append(f"{name}: upload .md module files or a .zip of them")
    modules: list[training.Module] = []
    criteria = known_criteria()
    for name, payload in texts:
        stem = name.rsplit("/", 1)[-1][: -len(".md")]
        try:
            modules.append(
                training.parse_module(payload.decode("utf-8"), stem, known_criteria=criteria)
            )
        except UnicodeDecodeError:
            problems.append(f"{stem}: not UTF-8 text")
        except training.CatalogError as exc:
            problems.extend(exc.problems)
    if not texts and not problems:
        problems.append("no module files (.md) in the upload")
    if problems:
        raise training.CatalogError(problems)
    return modules


def export_catalog() -> bytes:
    """A zip of every module as a catalog file, readable by ``training.load_catalog``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in all_modules():
            archive.writestr(f"{module.slug}.md", training.render_module(library_module(module)))
    return buffer.getvalue()
