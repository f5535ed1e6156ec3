from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.columns import enum_column
from qa_app.extensions import db
from qa_app.timeutil import utcnow

if TYPE_CHECKING:
    from qa_app.agents.models import Agent


class Role(enum.StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    TRAINER = "trainer"
    AGENT = "agent"
    # the client's own staff: own the taxonomy, read analytics; never evaluations or coaching
    ANALYST = "analyst"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), unique=True)
    is_active_user: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    agent: Mapped[Agent | None] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_user

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginAttempt(db.Model):
    """Failed and successful sign-ins, for throttling; shared by every web process."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    succeeded: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
