"""Measuring a taxonomy on labelled items: accuracy, macro-F1, and the centroid baseline.

Shared by the banking77 test and ``bench/tagging.py`` so both report the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.tagging_semantic import Prototypes

__all__ = ["Scores", "centroid_baseline", "classification_scores", "forced_choice"]


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float


def classification_scores(gold: Sequence[str], predicted: Sequence[str | None]) -> Scores:
    """Accuracy and macro-F1 over the gold labels (a None prediction counts as wrong)."""
    labels = sorted(set(gold))
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Scores(correct / len(gold), float(np.mean(f1s)))


def forced_choice(confidence: np.ndarray, keys: Sequence[str]) -> list[str]:
    """The most confident tag of each item, even below its threshold (for accuracy)."""
    return [keys[i] for i in confidence.argmax(axis=1)]


def centroid_baseline(protos: Prototypes, vectors: np.ndarray) -> list[str]:
    """The plain baseline: the tag whose centroid (description + examples) is most similar."""
    return [protos.keys[i] for i in (vectors @ protos.centroids.T).argmax(axis=1)]
