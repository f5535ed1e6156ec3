"""Tag filters shared by the calls list, review queues and agent pages.

Kept apart from the decision services so list pages import it without the admin and
review packages (which import list pages back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, func, select

from qa_app.calls.models import Interaction
from qa_app.extensions import db
from qa_app.tagging.models import AssignmentState, Tag, TagAssignment

T = TypeVar("T")


def has_tag(key: str) -> ColumnElement[bool]:
    """WHERE clause: the interaction carries a tag with this key that nobody rejected."""
    return exists().where(
        TagAssignment.interaction_id == Interaction.id,
        TagAssignment.tag_id == Tag.id,
        Tag.key == key,
        TagAssignment.state != AssignmentState.REJECTED,
    )


def tag_choices() -> list[tuple[str, str]]:
    """(key, name) of every tag key ever used, for filter menus."""
    return [
        (key, name)
        for key, name in db.session.execute(
            select(Tag.key, func.min(Tag.name)).group_by(Tag.key).order_by(Tag.key)
        )
    ]


def ids_with_tag(key: str, interaction_ids: Sequence[int]) -> set[int]:
    if not interaction_ids:
        return set()
    return set(
        db.session.scalars(
            select(Interaction.id).where(Interaction.id.in_(set(interaction_ids)), has_tag(key))
        )
    )


def keep_tagged(items: Sequence[T], key: str | None, interaction_id: Callable[[T], int]) -> list[T]:
    """The items (queue entries, rows) whose interaction carries tag ``key``; all when None."""
    if not key:
        return list(items)
    keep = ids_with_tag(key, [interaction_id(item) for item in items])
    return [item for item in items if interaction_id(item) in keep]


def tags_by_interaction(interaction_ids: Sequence[int], limit: int = 3) -> dict[int, list[str]]:
    """The names of each listed interaction's most confident tags (rejected ones left out)."""
    if not interaction_ids:
        return {}
    rows = db.session.execute(
        select(TagAssignment.interaction_id, Tag.key, Tag.name)
        .join(Tag, TagAssignment.tag_id == Tag.id)
        .where(
            TagAssignment.interaction_id.in_(set(interaction_ids)),
            TagAssignment.state != AssignmentState.REJECTED,
        )
        .order_by(TagAssignment.confidence.desc(), TagAssignment.id)
    )
    seen: dict[int, dict[str, str]] = {}
    for interaction_id, key, name in rows:
        names = seen.setdefault(interaction_id, {})
        if key not in names and len(names) < limit:
            names[key] = name
    return {i: list(names.values()) for i, names in seen.items()}
