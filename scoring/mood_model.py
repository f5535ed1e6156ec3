"""The shipped mood classifier: softmax regression over sentence-encoder embeddings.

Why a linear model: the encoder already places "great, it works" far from "still broken", so a
few thousand weights trained on openly licensed sentences beat a lexicon (see
``bench/mood_eval.py``), load in milliseconds and need nothing beyond numpy at run time.
The weights are written by ``python -m scoring.mood_train`` from data in ``scoring/data/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["FEATURES", "LABELS", "WEIGHTS_PATH", "MoodModel", "features", "load_model", "softmax"]

LABELS = ("negative", "neutral", "positive")
WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "mood_weights.npz"


FEATURES = "embedding+vader_compound"


def features(embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Classifier input: the sentence embedding plus VADER's compound score.

    The lexicon score adds what a 1,500-sentence training set cannot teach (rare praise and
    insult words) and measured 1-3 macro-F1 points better than the embedding alone.
    """
    from scoring.sentiment import compound

    lexicon = np.array([[compound(t)] for t in texts], dtype=np.float64).reshape(len(texts), 1)
    return np.hstack([np.asarray(embeddings, dtype=np.float64), lexicon])


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class MoodModel:
    """Weights ``(3, d)`` and bias ``(3,)`` over :func:`features`, rows in :data:`LABELS` order."""

    weights: np.ndarray
    bias: np.ndarray
    encoder: str = ""
    features: str = FEATURES
    l2: float = 0.0  # the penalty it was trained with (bench re-fits folds with it)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Class logits for rows of :func:`features` (shape ``(n, d)``)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.weights.shape[1]:
            raise ValueError(
                f"expected features of shape (n, {self.weights.shape[1]}), got {x.shape}"
            )
        return x @ self.weights.T + self.bias

    def save(self, path: Path) -> None:
        np.savez(
            path,
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
            encoder=np.array(self.encoder),
            features=np.array(self.features),
            l2=np.array(self.l2),
        )


@lru_cache(maxsize=4)
def load_model(path: Path = WEIGHTS_PATH) -> MoodModel:
    """Read the weights once per process.

    :raise FileNotFoundError: the weights file is missing (run ``python -m scoring.mood_train``).
    """
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"mood weights {path} are missing: run `python -m scoring.mood_train` to write them"
        )
    with np.load(path, allow_pickle=False) as data:
        model = MoodModel(
            weights=data["weights"].astype(np.float64),
            bias=data["bias"].astype(np.float64),
            encoder=str(data["encoder"]),
            features=str(data["features"]) if "features" in data else "",
            l2=float(data["l2"]) if "l2" in data else 0.0,
        )
    if model.features != FEATURES:
        raise ValueError(f"{path} was trained on {model.features!r}, not {FEATURES!r}")
    return model
