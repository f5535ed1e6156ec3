"""Column types shared by every feature's models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(kind: type[enum.Enum]) -> Enum:
    """Store an enum by its value as a short string (portable across SQLite and PostgreSQL)."""
    return Enum(
        kind,
        native_enum=False,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
