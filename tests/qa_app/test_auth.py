"""Signing in: hashed passwords, throttling, cookies, safe redirects."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from qa_app.auth.models import LoginAttempt, Role
from qa_app.auth.passwords import hash_password, verify_password
from qa_app.extensions import db
from tests.factories import PASSWORD, make_user
from tests.qa_app.conftest import csrf_token, login


def _user(app: Flask, role: Role = Role.REVIEWER) -> str:
    with app.app_context():
        user = make_user(role)
        db.session.commit()
        return user.email


def _attempt(client: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client, "/login")},
    )


def test_passwords_are_stored_as_argon2_hashes() -> None:
    hashed = hash_password("s3cret-enough")
    assert hashed.startswith("$argon2id$")
    assert "s3cret-enough" not in hashed
    assert verify_password(hashed, "s3cret-enough")
    assert not verify_password(hashed, "wrong")
    assert not verify_password(None, "anything")


def test_sign_in_lands_on_home_with_the_role_page(app: Flask, client: FlaskClient) -> None:
    email = _user(app, Role.TRAINER)
    response = _attempt(client, email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Coaching overview" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app: Flask, client: FlaskClient
) -> None:
    email = _user(app)
    response = _attempt(client, email, "not the password")
    assert response.status_code == 401
    assert "E-mail or password is not right." in response.get_data(as_text=True)
    unknown = _attempt(client, "nobody@example.org", "whatever")
    assert unknown.status_code == 401
    assert "E-mail or password is not right." in unknown.get_data(as_text=True)


def test_repeated_failures_lock_the_email_out(app: Flask, client: FlaskClient) -> None:
    email = _user(app)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _attempt(client, email, "bad").status_code == 401
    locked = _attempt(client, email, PASSWORD)  # even the right password now waits
    assert locked.status_code == 401
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(LoginAttempt).filter_by(email=email).count() == limit + 0


def test_success_resets_the_failure_count(app: Flask, client: FlaskClient) -> None:
    email = _user(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _attempt(client, email, "bad")
    assert _attempt(client, email, PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _attempt(client, email, "bad").status_code == 401
    assert _attempt(client, email, PASSWORD).status_code == 302


def test_session_cookie_is_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    email = _user(app)
    response = _attempt(client, email, PASSWORD)
    cookie = next(
        v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_does_not_redirect_off_site(app: Flask, client: FlaskClient) -> None:
    email = _user(app)
    token = csrf_token(client, "/login")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        token = csrf_token(client, "/login")


def test_login_keeps_a_safe_next_path(app: Flask, client: FlaskClient) -> None:
    email = _user(app)
    response = client.post(
        "/login?next=/calls/",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.headers["Location"] == "/calls/"


def test_logout_needs_post_with_csrf(app: Flask, client: FlaskClient) -> None:
    login(client, _user(app))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        user.is_active_user = False
        db.session.commit()
        email = user.email
    assert _attempt(client, email, PASSWORD).status_code == 401
