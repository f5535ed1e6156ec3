"""DESIGN.md's import rules, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("transcription", "scoring", "training")
WEB_STACK = {"flask", "wtforms", "sqlalchemy", "celery", "qa_app", "kombu", "alembic"}
HEAVY = {"faster_whisper", "ctranslate2", "torch", "torchaudio", "pyannote", "resemblyzer"}
HEAVY_ALLOWED = {"transcription/asr.py", "transcription/diarize.py"}
# the one library module allowed to import another library, and what it may import
CROSS_LIBRARY = {"scoring": {"transcription.types"}, "training": {"scoring.types", "scoring"}}


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at_top_level) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno, id(node) in top))
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", LIBRARIES)
def test_libraries_never_import_the_web_stack(package: str) -> None:
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p in _files(package)
        for mod, line, _ in _imports(p)
        if mod.split(".")[0] in WEB_STACK or mod.split(".")[0].startswith("flask_")
    ]
    assert bad == []


@pytest.mark.parametrize("package", LIBRARIES)
def test_libraries_import_each_other_one_way(package: str) -> None:
    allowed = CROSS_LIBRARY.get(package, set())
    bad = []
    for path in _files(package):
        for mod, line, _ in _imports(path):
            root = mod.split(".")[0]
            if root in LIBRARIES and root != package and mod not in allowed:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {mod}")
    assert bad == []


def test_heavy_libraries_load_lazily_and_only_in_model_wrappers() -> None:
    bad = []
    for package in ("qa_app", *LIBRARIES):
        for path in _files(package):
            rel = str(path.relative_to(ROOT))
            for mod, line, top_level in _imports(path):
                if mod.split(".")[0] not in HEAVY:
                    continue
                if rel not in HEAVY_ALLOWED or top_level:
                    bad.append(f"{rel}:{line} imports {mod}")
    assert bad == []


def test_nothing_imports_qa_app_but_its_own_entry_points() -> None:
    bad = [
        f"{p.relative_to(ROOT)}:{line}"
        for package in LIBRARIES + ("bench",)
        for p in _files(package)
        for mod, line, _ in _imports(p)
        if mod.split(".")[0] == "qa_app" and package != "bench"
    ]
    assert bad == []


def test_views_do_not_query_the_database_directly() -> None:
    """Views call services; the session is only used to commit at the request boundary."""
    bad = []
    for path in sorted((ROOT / "qa_app").rglob("*views.py")):
        text = path.read_text()
        for needle in ("select(", "db.session.query", "db.session.execute", "db.session.scalar"):
            if needle in text:
                bad.append(f"{path.relative_to(ROOT)} uses {needle}")
    assert bad == []
