"""The REST API: hashed keys, refusals, and the same visibility rules as the web pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from qa_app.api.models import ApiKey
from qa_app.api.services import create_api_key
from qa_app.auth.models import Role
from qa_app.extensions import db
from tests.factories import make_agent, make_interaction, make_user


def test_key_is_stored_hashed_and_shown_once(app: Flask) -> None:
    with app.app_context():
        token, key = create_api_key(make_user(Role.ADMIN), "crm")
        stored = db.session.get(ApiKey, key.id)
        assert (
            token not in (stored.key_hash, stored.prefix)
            and token.split("_")[2] not in stored.key_hash
        )


def test_missing_wrong_and_revoked_keys_are_401(app: Flask, client: FlaskClient) -> None:
    assert client.get("/api/v1/interactions").status_code == 401
    with app.app_context():
        token, key = create_api_key(make_user(Role.ADMIN), "crm")
        db.session.commit()
        key_id = key.id
    bad = token[:-3] + "xyz"
    assert (
        client.get("/api/v1/interactions", headers={"Authorization": f"Bearer {bad}"}).status_code
        == 401
    )
    ok = client.get("/api/v1/interactions", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    with app.app_context():
        from qa_app.timeutil import utcnow

        db.session.get(ApiKey, key_id).revoked_at = utcnow()
        db.session.commit()
    assert (
        client.get("/api/v1/interactions", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_agent_key_lists_only_own_interactions(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        mine, theirs = make_agent(), make_agent()
        own_id = make_interaction(mine).id
        make_interaction(theirs)
        token, _ = create_api_key(make_user(Role.AGENT, agent=mine), "me")
        db.session.commit()
    data = client.get(
        "/api/v1/interactions", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert [i["id"] for i in data["interactions"]] == [own_id]
