"""Criterion types -> scorer functions, so a team adds a criterion without touching the engine.

A scorer is ``fn(request: CriterionInput) -> CriterionResult``; it declares its default detector
settings, and a rubric may only override keys that exist there (typos become rubric errors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring.types import CriterionResult, Interaction, ScoringContext

__all__ = ["CriterionInput", "Scorer", "get_scorer", "register", "registered_types"]


@dataclass(frozen=True)
class CriterionInput:
    """Everything a scorer may look at: its interaction, settings, and the rest of the batch."""

    interaction: Interaction
    settings: Mapping[str, Any]
    batch: tuple[Interaction, ...] = ()
    context: ScoringContext = field(default_factory=ScoringContext)


ScorerFn = Callable[[CriterionInput], CriterionResult]


@dataclass(frozen=True)
class Scorer:
    type: str
    fn: ScorerFn
    defaults: Mapping[str, Any]


_REGISTRY: dict[str, Scorer] = {}


def register(
    type_name: str, defaults: Mapping[str, Any] | None = None
) -> Callable[[ScorerFn], ScorerFn]:
    """Decorator: make ``fn`` the scorer for rubric criteria of ``type: type_name``."""

    def decorate(fn: ScorerFn) -> ScorerFn:
        if type_name in _REGISTRY and _REGISTRY[type_name].fn is not fn:
            raise ValueError(f"criterion type {type_name!r} is already registered")
        _REGISTRY[type_name] = Scorer(type_name, fn, dict(defaults or {}))
        return fn

    return decorate


def _load_builtins() -> None:
    import scoring.criteria  # noqa: F401  (registers the built-in scorers)


def get_scorer(type_name: str) -> Scorer:
    """:raise KeyError: no scorer is registered under that type."""
    _load_builtins()
    return _REGISTRY[type_name]


def registered_types() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)
