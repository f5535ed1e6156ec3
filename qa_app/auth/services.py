"""Sign-in and user management; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from qa_app.auth.models import LoginAttempt, Role, User
from qa_app.auth.passwords import hash_password, verify_password
from qa_app.extensions import db
from qa_app.timeutil import utcnow


class AuthError(Exception):
    """Sign-in refused; the message is safe to show."""


class LockedOut(AuthError):
    pass


class DuplicateEmail(ValueError):
    pass


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    password: str
    role: Role
    agent_id: int | None = None
    is_demo: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _recent_failures(email: str, since: datetime) -> int:
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    start = max(since, last_success) if last_success else since
    return (
        db.session.scalar(
            select(func.count()).where(
                LoginAttempt.email == email,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.created_at > start,
            )
        )
        or 0
    )


def authenticate(email: str, password: str, *, max_failures: int, lockout: timedelta) -> User:
    """Return the user for valid credentials, or raise; every attempt is recorded."""
    email = normalize_email(email)
    now = utcnow()
    if _recent_failures(email, now - lockout) >= max_failures:
        minutes = int(lockout.total_seconds() // 60)
        raise LockedOut(
            f"Too many failed sign-ins for this e-mail. Wait {minutes} minutes and try again."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    db.session.add(LoginAttempt(email=email, succeeded=ok, created_at=now))
    if not ok:
        db.session.flush()
        raise AuthError("E-mail or password is not right.")
    assert user is not None
    user.last_login_at = now
    db.session.flush()
    return user


def create_user(data: NewUser) -> User:
    email = normalize_email(data.email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateEmail(f"A user with e-mail {email} already exists.")
    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        role=data.role,
        agent_id=data.agent_id,
        is_demo=data.is_demo,
    )
    db.session.add(user)
    db.session.flush()
    return user


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)
