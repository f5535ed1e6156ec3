"""Rubrics as data (YAML or JSON): loading and validation with one-line errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import RubricError
from scoring.registry import get_scorer
from scoring.types import CriterionSpec, Rubric

__all__ = ["DEFAULT_RUBRIC", "default_rubric", "load_rubric", "rubric_from_dict", "rubric_to_dict"]

DEFAULT_RUBRIC = "default_rubric.yaml"
_TOP_KEYS = {"name", "version", "description", "zero_on_auto_fail", "criteria"}
_CRITERION_KEYS = {
    "key",
    "type",
    "section",
    "weight",
    "na_allowed",
    "critical",
    "critical_below",
    "settings",
    "guidance",
}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _criterion(raw: Any, index: int) -> CriterionSpec:
    if not isinstance(raw, Mapping):
        raise RubricError(f"criteria[{index}] must be a mapping")
    where = f"criterion {raw.get('key', index)!r}"
    unknown = sorted(set(raw) - _CRITERION_KEYS)
    if unknown:
        raise RubricError(f"{where}: unknown key {unknown[0]!r}")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise RubricError(f"criteria[{index}]: 'key' must be a non-empty string")
    type_name = raw.get("type", key)
    try:
        scorer = get_scorer(type_name)
    except KeyError:
        raise RubricError(f"{where}: unknown criterion type {type_name!r}") from None
    weight = raw.get("weight", 1)
    if not _number(weight) or weight <= 0:
        raise RubricError(f"{where}: weight must be a positive number, got {weight!r}")
    critical_below = raw.get("critical_below", 0.5)
    if not _number(critical_below) or not 0 <= critical_below <= 1:
        raise RubricError(f"{where}: critical_below must be between 0 and 1")
    for flag in ("na_allowed", "critical"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise RubricError(f"{where}: {flag} must be true or false")
    settings = raw.get("settings") or {}
    if not isinstance(settings, Mapping):
        raise RubricError(f"{where}: settings must be a mapping")
    unknown = sorted(set(settings) - set(scorer.defaults))
    if unknown:
        raise RubricError(f"{where}: unknown setting {unknown[0]!r} for type {type_name!r}")
    for name, value in settings.items():
        default = scorer.defaults[name]
        if _number(default) and not _number(value):
            raise RubricError(f"{where}: setting {name!r} must be a number")
        if isinstance(default, list) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise RubricError(f"{where}: setting {name!r} must be a list of strings")
    return CriterionSpec(
        key=key,
        type=type_name,
        weight=float(weight),
        section=str(raw.get("section", "")),
        na_allowed=raw.get("na_allowed", True),
        critical=raw.get("critical", False),
        critical_below=float(critical_below),
        settings={**scorer.defaults, **settings},
        guidance=str(raw.get("guidance", "")).strip(),
    )


def rubric_from_dict(data: Any) -> Rubric:
    """Validate a parsed rubric document.

    :raise RubricError: unknown key, bad weight, duplicate criterion, unknown type or setting.
    """
    if not isinstance(data, Mapping):
        raise RubricError("a rubric must be a mapping with 'name', 'version' and 'criteria'")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise RubricError(f"unknown key {unknown[0]!r}")
    for field in ("name", "version"):
        if not isinstance(data.get(field), str | int | float) or str(data.get(field)) == "":
            raise RubricError(f"missing or invalid {field!r}")
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise RubricError("'criteria' must be a non-empty list")
    criteria = [_criterion(raw, i) for i, raw in enumerate(raw_criteria)]
    seen: set[str] = set()
    for spec in criteria:
        if spec.key in seen:
            raise RubricError(f"duplicate criterion {spec.key!r}")
        seen.add(spec.key)
    zero = data.get("zero_on_auto_fail", True)
    if not isinstance(zero, bool):
        raise RubricError("zero_on_auto_fail must be true or false")
    return Rubric(
        name=str(data["name"]),
        version=str(data["version"]),
        criteria=tuple(criteria),
        zero_on_auto_fail=zero,
        description=str(data.get("description", "")).strip(),
    )


def _parse(text: str, suffix: str) -> Any:
    try:
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise RubricError(f"cannot parse rubric: {first}") from exc


def parse_rubric(text: str, suffix: str = ".yaml") -> Rubric:
    """Validate a rubric document given as text (e.g. an upload); ``suffix`` picks JSON or YAML."""
    return rubric_from_dict(_parse(text, suffix.lower()))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric file (``.json``, else YAML); None gives the shipped default."""
    if path is None:
        return default_rubric()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"cannot read rubric: {getattr(exc, 'strerror', None) or exc}") from exc
    return parse_rubric(text, path.suffix)


def default_rubric() -> Rubric:
    """The rubric shipped with the package (``scoring/default_rubric.yaml``)."""
    text = resources.files("scoring").joinpath(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    return rubric_from_dict(_parse(text, ".yaml"))


def rubric_to_dict(rubric: Rubric) -> dict[str, Any]:
    """The document form of a rubric, e.g. for the app to store or offer for download."""
    return {
        "name": rubric.name,
        "version": rubric.version,
        "description": rubric.description,
        "zero_on_auto_fail": rubric.zero_on_auto_fail,
        "criteria": [
            {
                "key": c.key,
                "type": c.type,
                "section": c.section,
                "weight": c.weight,
                "na_allowed": c.na_allowed,
                "critical": c.critical,
                "critical_below": c.critical_below,
                "settings": dict(c.settings),
                "guidance": c.guidance,
            }
            for c in rubric.criteria
        ],
    }
