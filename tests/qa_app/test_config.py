"""Settings come from one place: defaults < instance TOML file < CALLQA_* env < create_app()."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_app.config import SETTINGS, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLQA_INSTANCE_DIR", str(tmp_path))
    for setting in SETTINGS:
        monkeypatch.delenv("CALLQA_" + setting.key, raising=False)
    return tmp_path


def test_defaults_keep_everything_in_the_instance_folder(instance: Path) -> None:
    config = load_config(ROOT)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'callqa.db'}"
    assert config["BROKER_URL"].startswith("sqla+sqlite:///")
    assert config["STORAGE_DIR"] == str(instance / "recordings")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert len(config["SECRET_KEY"]) == 64
    assert load_config(ROOT)["SECRET_KEY"] == config["SECRET_KEY"]  # stable across restarts


def test_file_then_environment_then_overrides(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "callqa.toml").write_text('max_upload_mb = 50\nlog_level = "DEBUG"\n')
    assert load_config(ROOT)["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024
    monkeypatch.setenv("CALLQA_MAX_UPLOAD_MB", "20")
    config = load_config(ROOT)
    assert config["MAX_UPLOAD_MB"] == 20 and config["LOG_LEVEL"] == "DEBUG"
    assert load_config(ROOT, {"MAX_UPLOAD_MB": 1})["MAX_CONTENT_LENGTH"] == 1024 * 1024


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("CALLQA_MAX_UPLOAD_MB", "lots", "CALLQA_MAX_UPLOAD_MB='lots'"),
        ("CALLQA_LOG_LEVEL", "LOUD", "CALLQA_LOG_LEVEL='LOUD'"),
        ("CALLQA_PYANNOTE_PIPELINE", "/nonexistent/pipeline", "no such directory"),
    ],
)
def test_unusable_settings_are_clear_errors(
    instance: Path, monkeypatch: pytest.MonkeyPatch, env: str, value: str, message: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_config(ROOT)


def test_broken_config_file_is_a_clear_error(instance: Path) -> None:
    (instance / "callqa.toml").write_text("max_upload_mb = = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(ROOT)


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    missing = [s.key for s in SETTINGS if f"CALLQA_{s.key}" not in text]
    assert missing == []
