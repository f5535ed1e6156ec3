"""The only place callqa reads settings.

Order of precedence: defaults < instance config file (TOML) < ``CALLQA_*`` environment
variables < the ``config`` mapping passed to ``create_app`` (tests).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

PREFIX = "CALLQA_"
CONFIG_FILE_NAME = "callqa.toml"


@dataclass(frozen=True)
class Setting:
    """One documented setting; ``.env.example`` and the README are checked against this list."""

    key: str
    default: Any
    cast: type
    help: str


def _bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        None,
        str,
        "Signs sessions and CSRF tokens. Generated into instance/ when unset.",
    ),
    Setting("DATABASE_URL", None, str, "SQLAlchemy URL. Default: SQLite file instance/callqa.db."),
    Setting(
        "BROKER_URL",
        None,
        str,
        "Celery broker. Default: SQLite file instance/broker.db (no server).",
    ),
    Setting(
        "RESULT_BACKEND",
        None,
        str,
        "Celery result backend. Default: SQLite file instance/results.db.",
    ),
    Setting("STORAGE_DIR", None, str, "Where recordings are stored. Default: instance/recordings."),
    Setting(
        "MAX_UPLOAD_MB", 500, int, "Largest accepted upload, in megabytes (bigger gets a 413 page)."
    ),
    Setting("LOG_LEVEL", "INFO", str, "Logging level: DEBUG, INFO, WARNING, ERROR."),
    Setting(
        "WHISPER_MODEL",
        "base",
        str,
        "Whisper model: base, tiny.en, or a CTranslate2 model directory.",
    ),
    Setting("WHISPER_COMPUTE_TYPE", "int8", str, "CTranslate2 compute type (int8 on CPU)."),
    Setting(
        "SPEAKER_MODE", "auto", str, "Speaker separation: auto, channels, embedded or pyannote."
    ),
    Setting("AGENT_CHANNEL", "auto", str, "Stereo channel holding the agent: left, right or auto."),
    Setting(
        "PYANNOTE_PIPELINE", None, str, "Local pyannote.audio pipeline directory (optional extra)."
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        _bool,
        "Send session cookies over HTTPS only (set in production).",
    ),
    Setting(
        "LOGIN_MAX_FAILURES", 5, int, "Failed sign-ins for one e-mail before it is locked out."
    ),
    Setting("LOGIN_LOCKOUT_MINUTES", 15, int, "How long a locked-out e-mail must wait."),
    Setting("DISPUTE_WINDOW_DAYS", 14, int, "Days an agent has to dispute an evaluation."),
    Setting("MAX_DISPUTES_PER_EVALUATION", 2, int, "Criteria an agent may dispute per evaluation."),
    Setting("JOB_LEASE_SECONDS", None, float, "Seconds a running job holds its lease (120)."),
    Setting(
        "QUEUE_GRACE_SECONDS", None, float, "Seconds a queued job waits before it is resent (900)."
    ),
    Setting("JOB_MAX_ATTEMPTS", None, int, "Attempts before a call is marked failed (3)."),
    Setting(
        "JOB_RETRY_BACKOFF_SECONDS", None, float, "Wait before a retry, times the attempt (30)."
    ),
    Setting("LONG_CALL_SECONDS", None, float, "Calls longer go to the 'long' queue (1200)."),
    Setting("LONG_CALL_BYTES", None, int, "Files bigger go to the 'long' queue (41943040)."),
    Setting("SITE_TIMEZONE", "UTC", str, "The contact center's time zone, e.g. Europe/Berlin."),
)


class ConfigError(RuntimeError):
    """A setting is present but unusable; the message says which and why."""


def instance_dir(root: Path) -> Path:
    return Path(os.environ.get(PREFIX + "INSTANCE_DIR", root / "instance")).resolve()


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return {str(k).upper(): v for k, v in data.items()}


def _secret_key(folder: Path) -> str:
    """A per-instance random key, created once, so sessions survive restarts without setup."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(root: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting into a Flask config mapping."""
    folder = instance_dir(root)
    file_values = _read_file(
        Path(os.environ.get(PREFIX + "CONFIG_FILE", folder / CONFIG_FILE_NAME))
    )
    overrides = dict(overrides or {})
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = setting.default
        if setting.key in file_values:
            raw = file_values[setting.key]
        env = os.environ.get(PREFIX + setting.key)
        if env not in (None, ""):
            raw = env
        if setting.key in overrides:
            raw = overrides.pop(setting.key)
        if raw is not None:
            try:
                raw = setting.cast(raw)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{PREFIX}{setting.key}={raw!r}: {exc}") from exc
        values[setting.key] = raw

    folder.mkdir(parents=True, exist_ok=True)
    values["INSTANCE_DIR"] = str(folder)
    values["SECRET_KEY"] = values["SECRET_KEY"] or _secret_key(folder)
    values["DATABASE_URL"] = values["DATABASE_URL"] or f"sqlite:///{folder / 'callqa.db'}"
    values["BROKER_URL"] = values["BROKER_URL"] or f"sqla+sqlite:///{folder / 'broker.db'}"
    values["RESULT_BACKEND"] = values["RESULT_BACKEND"] or f"db+sqlite:///{folder / 'results.db'}"
    values["STORAGE_DIR"] = values["STORAGE_DIR"] or str(folder / "recordings")
    if values["LOG_LEVEL"].upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(
            f"{PREFIX}LOG_LEVEL={values['LOG_LEVEL']!r}: use DEBUG, INFO, WARNING or ERROR"
        )
    if values["SITE_TIMEZONE"] not in available_timezones():
        raise ConfigError(
            f"{PREFIX}SITE_TIMEZONE={values['SITE_TIMEZONE']!r}: not a known time zone"
        )
    pipeline = values["PYANNOTE_PIPELINE"]
    if pipeline and not Path(pipeline).is_dir():
        raise ConfigError(f"{PREFIX}PYANNOTE_PIPELINE={pipeline}: no such directory")

    flask_config: dict[str, Any] = {
        **values,
        "SQLALCHEMY_DATABASE_URI": values["DATABASE_URL"],
        "MAX_CONTENT_LENGTH": values["MAX_UPLOAD_MB"] * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": values["SESSION_COOKIE_SECURE"],
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": values["SESSION_COOKIE_SECURE"],
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
    }
    flask_config.update(overrides)  # remaining keys are raw Flask settings (TESTING, ...)
    return flask_config
