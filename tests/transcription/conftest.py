"""Fixtures for the transcription tests: models load once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcription import TranscriptionSettings

DATA = Path(__file__).resolve().parent.parent / "data" / "transcription"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def tiny(instance_dir: Path) -> TranscriptionSettings:
    return TranscriptionSettings(model="tiny.en", instance_dir=instance_dir)


@pytest.fixture(scope="session")
def base(instance_dir: Path) -> TranscriptionSettings:
    return TranscriptionSettings(model="base", instance_dir=instance_dir)
