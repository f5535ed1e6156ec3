"""Errors the library raises on bad input; each message fits on one line."""

from __future__ import annotations

__all__ = ["InputError", "RubricError", "ScoringError"]


class ScoringError(Exception):
    """Base class: anything the CLI turns into a one-line message."""


class InputError(ScoringError):
    """An interaction file that cannot be read or has nothing to score."""


class RubricError(ScoringError):
    """A rubric that does not validate."""
