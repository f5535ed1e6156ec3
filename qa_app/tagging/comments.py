"""Tags on reviewers' comments (evaluation items), picked from the published taxonomy.

Apart from the decision services so the review views can import it without a cycle
(tagging's decision services import the admin package, which imports reviews).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.tagging.library import published_taxonomy
from qa_app.tagging.models import Tag, TagAssignment

PREFIX = "comment_tags_"


def comment_tags_of(evaluation: Any) -> dict[int, list[str]]:
    """Tag keys on each commented criterion of an evaluation: {criterion_id: [key, ...]}."""
    if evaluation is None or not evaluation.items:
        return {}
    by_item = {item.id: item.criterion_id for item in evaluation.items}
    rows = db.session.execute(
        select(TagAssignment.evaluation_item_id, Tag.key)
        .join(Tag, TagAssignment.tag_id == Tag.id)
        .where(TagAssignment.evaluation_item_id.in_(by_item))
        .order_by(TagAssignment.id)
    )
    out: dict[int, list[str]] = {}
    for item_id, key in rows:
        out.setdefault(by_item[item_id], []).append(key)
    return out


def comment_tags_from(form: Mapping[str, str]) -> dict[int, list[str]]:
    """The review form's ``comment_tags_<criterion id>`` fields (comma-separated keys)."""
    out: dict[int, list[str]] = {}
    for name, value in form.items():
        if not name.startswith(PREFIX) or not name[len(PREFIX) :].isdigit():
            continue
        keys = [k.strip()[:80] for k in str(value).split(",") if k.strip()]
        out[int(name[len(PREFIX) :])] = list(dict.fromkeys(keys))[:10]
    return out


def store_comment_tags(evaluation: Any, chosen: Mapping[int, list[str]], actor: User) -> None:
    """Make the tags on each listed criterion's comment exactly ``chosen`` (reviewer source).

    Criteria not listed keep their tags; keys that are not live tags of the published
    taxonomy are ignored (a stale page after publishing must not block saving a scorecard).
    """
    if not chosen or evaluation is None:
        return
    db.session.flush()  # items of a new draft get their ids
    published = published_taxonomy()
    live = {t.key: t for t in published.tags if not t.is_retired} if published else {}
    items = {item.criterion_id: item for item in evaluation.items}
    for criterion_id, keys in chosen.items():
        item = items.get(criterion_id)
        if item is None or item.id is None:
            continue
        current = {
            a.tag.key: a
            for a in db.session.scalars(
                select(TagAssignment)
                .where(TagAssignment.evaluation_item_id == item.id)
                .options(joinedload(TagAssignment.tag))
            )
        }
        wanted = [k for k in keys if k in live]
        for key, assignment in current.items():
            if key not in wanted:
                db.session.delete(assignment)
        for key in wanted:
            if key in current:
                continue
            db.session.add(
                TagAssignment.added_by_reviewer(live[key], actor.id, evaluation_item_id=item.id)
            )
    db.session.flush()


def published_tag_names() -> list[tuple[str, str]]:
    """(key, name) of the live tags of the published version, for the comment tag picker."""
    published = published_taxonomy()
    if published is None:
        return []
    return [(t.key, t.name) for t in published.tags if not t.is_retired]
