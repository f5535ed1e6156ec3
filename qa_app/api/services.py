"""API keys: shown once, stored as a SHA-256 hash (they are long random tokens, not passwords)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from qa_app.api.models import ApiKey
from qa_app.auth.models import User
from qa_app.extensions import db
from qa_app.timeutil import utcnow

KEY_PREFIX = "cqa_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(user: User, name: str) -> tuple[str, ApiKey]:
    """Return the plaintext key (to show once) and its stored record."""
    prefix = secrets.token_hex(4)
    token = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=_digest(token))
    db.session.add(key)
    db.session.flush()
    return token, key


def user_for_token(token: str) -> User | None:
    parts = token.split("_")
    if len(parts) < 3 or not token.startswith(KEY_PREFIX):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, _digest(token)):
        return None
    key.last_used_at = utcnow()
    user = db.session.get(User, key.user_id)
    return user if user and user.is_active else None
