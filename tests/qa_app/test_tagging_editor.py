"""Taxonomy editor: drafts, tag edits validated by the library, import/export, publishing."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import scoring
from qa_app.admin.models import AuditEvent
from qa_app.auth.models import Role
from qa_app.extensions import celery, db
from qa_app.tagging.library import store_taxonomy
from qa_app.tagging.models import RunKind, RunStatus, TaggingRun, Taxonomy, TaxonomyStatus
from tests.factories import make_user
from tests.qa_app.conftest import csrf_token, login

TAXONOMY = {
    "version": "acme-1",
    "kinds": ["enquiry", "complaint"],
    "tags": [
        {"key": "billing", "name": "Billing", "kind": "enquiry", "description": "Bills."},
        {
            "key": "invoice",
            "name": "Invoice question",
            "parent": "billing",
            "examples": ["what is this charge on my invoice", "explain my bill"],
        },
        {
            "key": "payment_date",
            "name": "Payment date",
            "parent": "billing",
            "examples": ["change my payment date"],
            "rule": {"any": ["payment date"]},
        },
        {
            "key": "delivery",
            "name": "Late delivery",
            "kind": "complaint",
            "examples": ["my parcel has not arrived"],
        },
    ],
}


@pytest.fixture(autouse=True)
def context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def eager() -> Iterator[None]:
    """Run Celery tasks inline, as the tests of every background job do."""
    before = celery.conf.task_always_eager
    celery.conf.task_always_eager = True
    try:
        yield
    finally:
        celery.conf.task_always_eager = before


@pytest.fixture
def published(context: None) -> int:
    taxonomy = store_taxonomy(
        scoring.taxonomy_from_dict(TAXONOMY),
        name="Acme",
        version="acme-1",
        status=TaxonomyStatus.PUBLISHED,
    )
    db.session.commit()
    return taxonomy.id


@pytest.fixture
def analyst(client: FlaskClient, published: int) -> FlaskClient:
    user = make_user(Role.ANALYST)
    db.session.commit()
    login(client, user.email)
    return client


def _post(client: FlaskClient, url: str, data: dict | None = None, page: str = "/taxonomy/"):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})


def _draft(app: Flask) -> Taxonomy | None:
    db.session.expire_all()
    return db.session.scalar(select(Taxonomy).where(Taxonomy.status == TaxonomyStatus.DRAFT))


def _tag(taxonomy: Taxonomy, key: str):  # noqa: ANN202
    return next(t for t in taxonomy.tags if t.key == key)


def test_tree_shows_kinds_tags_and_nesting(analyst: FlaskClient) -> None:
    page = analyst.get("/taxonomy/").get_data(as_text=True)
    assert "Invoice question" in page and "Late delivery" in page
    # children are nested inside their parent's list item
    billing = page.index('id="tag-billing"')
    assert billing < page.index('id="tag-invoice"') < page.index('id="tag-delivery"')
    assert page.count("<details open>") == 1  # only billing has children
    assert "Taxonomy</a>" in analyst.get("/").get_data(as_text=True)  # nav link


def test_reviewer_may_not_edit(client: FlaskClient, published: int) -> None:
    user = make_user(Role.REVIEWER)
    db.session.commit()
    login(client, user.email)
    token = csrf_token(client, "/")
    assert client.post("/taxonomy/draft", data={"csrf_token": token}).status_code == 403
    assert client.get("/taxonomy/draft/tags/invoice").status_code == 403


def test_edit_opens_one_draft_copied_from_the_published_version(
    app: Flask, analyst: FlaskClient, published: int
) -> None:
    first = _post(analyst, "/taxonomy/draft")
    second = _post(analyst, "/taxonomy/draft")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    draft = _draft(app)
    assert draft is not None and draft.based_on_id == published
    assert draft.version == "acme-2"
    assert sorted(t.key for t in draft.tags) == ["billing", "delivery", "invoice", "payment_date"]
    assert _tag(draft, "invoice").parent.key == "billing"
    page = analyst.get(first.headers["Location"]).get_data(as_text=True)
    assert "Draft acme-2" in page and "Back-test" in page and "Publish" in page


def test_adding_an_example_changes_the_draft_only_and_is_audited(
    app: Flask, analyst: FlaskClient, published: int
) -> None:
    data = {
        "csrf_token": csrf_token(analyst, "/taxonomy/draft/tags/invoice"),
        "name": "Invoice question",
        "kind": "enquiry",
        "parent": "billing",
        "examples": "what is this charge on my invoice\nexplain my bill\nwhy is my bill so high",
        "speaker": "any",
    }
    response = analyst.post("/taxonomy/draft/tags/invoice", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    draft = _draft(app)
    assert draft is not None
    assert _tag(draft, "invoice").examples[-1] == "why is my bill so high"
    assert len(_tag(db.session.get(Taxonomy, published), "invoice").examples) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "taxonomy.tag_changed"))
    assert event is not None and event.entity_type == "Tag"
    assert len(event.before["examples"]) == 2 and len(event.after["examples"]) == 3


def test_a_bad_edit_is_refused_with_the_library_message_and_keeps_the_input(
    app: Flask, analyst: FlaskClient
) -> None:
    data = {
        "csrf_token": csrf_token(analyst, "/taxonomy/draft/tags/delivery"),
        "name": "Late delivery (typed)",
        "kind": "complaint",
        "parent": "",
        "examples": "",
        "speaker": "any",
    }
    response = analyst.post("/taxonomy/draft/tags/delivery", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "tag &#39;delivery&#39;: has neither examples nor a rule" in page
    assert 'value="Late delivery (typed)"' in page
    bad_rule = {**data, "examples": "late parcel", "near_terms": "refund"}
    page = analyst.post("/taxonomy/draft/tags/delivery", data=bad_rule).get_data(as_text=True)
    assert "near needs two or more terms" in page and "late parcel" in page
    # nothing was written; the draft opened for the attempt holds the published tag
    draft = _draft(app)
    assert draft is None or _tag(draft, "delivery").examples == ["my parcel has not arrived"]


def test_new_tag_with_a_rule_and_prefill(app: Flask, analyst: FlaskClient) -> None:
    page = analyst.get(
        "/taxonomy/draft/tags/new?name=Refund+request&examples=I+want+my+money+back"
        "&examples=refund+please%0Acan+I+get+a+refund"
    ).get_data(as_text=True)
    assert 'value="Refund request"' in page and 'value="refund_request"' in page
    assert "I want my money back\nrefund please\ncan I get a refund" in page
    data = {
        "csrf_token": csrf_token(analyst, "/taxonomy/draft/tags/new"),
        "key": "refund_request",
        "name": "Refund request",
        "kind": "complaint",
        "parent": "delivery",
        "examples": "I want my money back",
        "rule_any": "refund\nmoney back",
        "rule_none": "no refund needed",
        "near_terms": "refund, delay",
        "near_within": "6",
        "speaker": "customer",
        "window": "first_turns",
        "window_value": "4",
        "threshold": "0.6",
    }
    response = analyst.post("/taxonomy/draft/tags/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    tag = _tag(_draft(app), "refund_request")
    assert tag.parent.key == "delivery" and tag.threshold == 0.6
    assert tag.rule == {
        "any": ["refund", "money back"],
        "none": ["no refund needed"],
        "near": {"terms": ["refund", "delay"], "within": 6},
        "speaker": "customer",
        "window": {"first_turns": 4},
    }
    # the edit page shows it back
    page = analyst.get("/taxonomy/draft/tags/refund_request").get_data(as_text=True)
    assert "refund, delay" in page and "money back" in page
    again = analyst.post("/taxonomy/draft/tags/new", data=data)
    assert again.status_code == 422 and "is taken" in again.get_data(as_text=True)


def test_move_merge_and_retire(app: Flask, analyst: FlaskClient) -> None:
    _post(analyst, "/taxonomy/draft")
    page = "/taxonomy/draft/tags/invoice"
    # a cycle is refused with the library's message
    response = _post(analyst, "/taxonomy/draft/tags/billing/move", {"new_parent": "invoice"}, page)
    assert response.status_code == 302
    assert "cycle in parents" in analyst.get(response.headers["Location"]).get_data(as_text=True)
    # merge invoice into payment_date: examples appended, invoice retired
    response = _post(
        analyst, "/taxonomy/draft/tags/invoice/merge", {"target": "payment_date"}, page
    )
    assert response.status_code == 302
    draft = _draft(app)
    invoice, target = _tag(draft, "invoice"), _tag(draft, "payment_date")
    assert invoice.is_retired and invoice.merged_into == "payment_date"
    assert target.examples == [
        "change my payment date",
        "what is this charge on my invoice",
        "explain my bill",
    ]
    # moving billing's last live child away would leave billing with nothing to match
    response = _post(analyst, "/taxonomy/draft/tags/payment_date/move", {"new_parent": ""}, page)
    message = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "tag &#39;billing&#39;: has neither examples nor a rule" in message
    assert _tag(_draft(app), "payment_date").parent.key == "billing"
    # a legal move: delivery under billing is refused (kinds differ), back to top level works
    response = _post(analyst, "/taxonomy/draft/tags/delivery/move", {"new_parent": "billing"}, page)
    message = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "differs from its parent" in message
    response = _post(analyst, "/taxonomy/draft/tags/delivery/retire", page="/taxonomy/")
    assert response.status_code == 302
    assert _tag(_draft(app), "delivery").is_retired
    tree = analyst.get(f"/taxonomy/versions/{draft.id}").get_data(as_text=True)
    assert "merged into payment_date" in tree and "tx-retired" in tree
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"taxonomy.tag_merged", "taxonomy.tag_retired"} <= actions


def test_move_changes_the_parent(app: Flask, analyst: FlaskClient) -> None:
    _post(analyst, "/taxonomy/draft")
    response = _post(
        analyst,
        "/taxonomy/draft/tags/payment_date/move",
        {"new_parent": "invoice"},
        "/taxonomy/draft/tags/payment_date",
    )
    assert response.status_code == 302
    moved = _tag(_draft(app), "payment_date")
    assert moved.parent.key == "invoice"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "taxonomy.tag_moved"))
    assert event.before["parent"] == "billing" and event.after["parent"] == "invoice"


def test_retiring_a_parent_with_live_children_is_refused(app: Flask, analyst: FlaskClient) -> None:
    _post(analyst, "/taxonomy/draft")
    response = _post(analyst, "/taxonomy/draft/tags/billing/retire")
    page = analyst.get(response.headers["Location"]).get_data(as_text=True)
    assert "has live children (invoice, payment_date)" in page
    assert not _tag(_draft(app), "billing").is_retired


def test_export_round_trips_through_the_library(analyst: FlaskClient, published: int) -> None:
    response = analyst.get(f"/taxonomy/versions/{published}/export.yaml")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    parsed = scoring.taxonomy_from_dict(yaml.safe_load(response.get_data(as_text=True)))
    expected = scoring.taxonomy_from_dict(TAXONOMY)
    assert sorted(parsed.tags, key=str) == sorted(expected.tags, key=str)
    assert parsed.kinds == expected.kinds


def test_import_shows_errors_with_the_file_name_and_creates_a_draft(
    app: Flask, analyst: FlaskClient
) -> None:
    bad = yaml.safe_dump({**TAXONOMY, "tags": [*TAXONOMY["tags"], {"key": "x", "kind": "nope"}]})
    response = analyst.post(
        "/taxonomy/import",
        data={
            "csrf_token": csrf_token(analyst, "/taxonomy/"),
            "file": (io.BytesIO(bad.encode()), "client.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "client.yaml: tag &#39;x&#39;: kind &#39;nope&#39;" in response.get_data(as_text=True)
    assert _draft(app) is None
    good = yaml.safe_dump({**TAXONOMY, "kinds": ["enquiry", "complaint", "product"]})
    response = analyst.post(
        "/taxonomy/import",
        data={
            "csrf_token": csrf_token(analyst, "/taxonomy/"),
            "file": (io.BytesIO(good.encode()), "client.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    draft = _draft(app)
    assert draft is not None and draft.kinds == ["enquiry", "complaint", "product"]
    assert draft.note == "imported from client.yaml"


def test_publish_supersedes_and_retags_history(
    app: Flask, analyst: FlaskClient, published: int, eager: None
) -> None:
    _post(analyst, "/taxonomy/draft")
    draft = _draft(app)
    assert draft is not None
    response = _post(analyst, "/taxonomy/draft/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Taxonomy, published).status is TaxonomyStatus.SUPERSEDED
    assert db.session.get(Taxonomy, draft.id).status is TaxonomyStatus.PUBLISHED
    run = db.session.scalar(select(TaggingRun).where(TaggingRun.kind == RunKind.RETAG))
    assert run is not None and run.taxonomy_id == draft.id
    assert run.status is RunStatus.DONE, run.error
    page = analyst.get("/taxonomy/").get_data(as_text=True)
    assert "Re-tag acme-2" in page and "superseded" in page


def test_discard_removes_the_draft(app: Flask, analyst: FlaskClient) -> None:
    _post(analyst, "/taxonomy/draft")
    assert _draft(app) is not None
    assert _post(analyst, "/taxonomy/draft/discard").status_code == 302
    assert _draft(app) is None
    assert _post(analyst, "/taxonomy/draft/discard").status_code == 404


def test_unknown_versions_runs_and_tags_are_404(analyst: FlaskClient) -> None:
    assert analyst.get("/taxonomy/versions/99999").status_code == 404
    assert analyst.get("/taxonomy/versions/99999/export.yaml").status_code == 404
    assert analyst.get("/taxonomy/runs/99999").status_code == 404
    assert analyst.get("/taxonomy/draft/tags/no_such_tag").status_code == 404


def test_new_tag_without_any_taxonomy_says_so(client: FlaskClient) -> None:
    user = make_user(Role.ADMIN)
    db.session.commit()
    login(client, user.email)
    assert "No taxonomy yet" in client.get("/taxonomy/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, "/taxonomy/"), "key": "x", "name": "X"}
    response = client.post("/taxonomy/draft/tags/new", data=data)
    assert response.status_code == 422
    assert "import one first" in response.get_data(as_text=True)


def test_published_version_is_read_only(app: Flask, analyst: FlaskClient, published: int) -> None:
    # without a draft, the action routes of a draft do not exist
    response = _post(analyst, "/taxonomy/draft/tags/invoice/retire")
    assert response.status_code == 404
    assert not _tag(db.session.get(Taxonomy, published), "invoice").is_retired
