"""Train the mood classifier from the openly licensed sentences in ``scoring/data/``.

    python -m scoring.mood_train [--out FILE]

Training data (see ``scoring/data/MOOD_DATA.md``): DynaSent Round 2 (CC BY 4.0, written by crowd
workers) and short customer-service lines written for this project. The L2 strength is picked
by 5-fold cross-validation on that data alone, so no evaluation set leaks into the weights.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scoring.mood_model import LABELS, WEIGHTS_PATH, MoodModel, features, softmax

__all__ = ["TrainingSet", "cross_validate", "fit_softmax", "macro_f1", "read_training_set"]

DATA = Path(__file__).resolve().parent / "data"
TRAINING_FILES = ("mood_dynasent_r2.csv", "mood_support_lines.csv")
L2_GRID = (3.0, 10.0, 30.0)
# The hand-written support lines are few; weigh them up so the dialogue register counts.
SUPPORT_WEIGHT = 3.0


@dataclass(frozen=True)
class TrainingSet:
    texts: tuple[str, ...]
    labels: np.ndarray  # indices into LABELS
    weights: np.ndarray  # per-sample weight


def read_training_set(files: Sequence[str] = TRAINING_FILES) -> TrainingSet:
    """Read the shipped CSVs (columns ``text,label``)."""
    texts: list[str] = []
    labels: list[int] = []
    weights: list[float] = []
    for name in files:
        with open(DATA / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts.append(row["text"])
                labels.append(LABELS.index(row["label"]))
                weights.append(SUPPORT_WEIGHT if "support" in name else 1.0)
    return TrainingSet(tuple(texts), np.asarray(labels), np.asarray(weights))


def fit_softmax(
    x: np.ndarray, y: np.ndarray, l2: float, sample_weight: np.ndarray | None = None
) -> MoodModel:
    """Multinomial logistic regression with an L2 penalty on the weights (not the bias)."""
    from scipy.optimize import minimize

    n, d = x.shape
    k = len(LABELS)
    w_sample = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    w_sample = w_sample / w_sample.sum()
    onehot = np.eye(k)[y]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: k * d].reshape(k, d)
        b = theta[k * d :]
        p = softmax(x @ w.T + b)
        nll = -np.sum(w_sample * np.log(np.clip(p[np.arange(n), y], 1e-12, None)))
        err = (p - onehot) * w_sample[:, None]
        grad_w = err.T @ x + l2 * w / n
        grad_b = err.sum(axis=0)
        value = nll + 0.5 * l2 * float(np.sum(w * w)) / n
        return value, np.concatenate([grad_w.ravel(), grad_b])

    result = minimize(loss, np.zeros(k * d + k), jac=True, method="L-BFGS-B")
    theta = result.x
    return MoodModel(theta[: k * d].reshape(k, d), theta[k * d :])


def macro_f1(gold: Sequence[int], pred: Sequence[int], classes: Sequence[int]) -> float:
    """Mean F1 over ``classes`` (a class never predicted nor present scores 0)."""
    gold_a, pred_a = np.asarray(gold), np.asarray(pred)
    scores = []
    for c in classes:
        tp = float(np.sum((gold_a == c) & (pred_a == c)))
        fp = float(np.sum((gold_a != c) & (pred_a == c)))
        fn = float(np.sum((gold_a == c) & (pred_a != c)))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def cross_validate(
    x: np.ndarray,
    data: TrainingSet,
    l2: float,
    folds: int = 5,
    keep: Callable[[int], bool] = lambda i: True,
) -> np.ndarray:
    """Out-of-fold predicted labels; rows failing ``keep`` are only ever trained on."""
    order = np.random.default_rng(7).permutation(len(data.texts))
    fold_of = np.empty(len(order), dtype=int)
    fold_of[order] = np.arange(len(order)) % folds
    pred = np.full(len(order), -1)
    for f in range(folds):
        train = fold_of != f
        model = fit_softmax(x[train], data.labels[train], l2, data.weights[train])
        test = np.array([fold_of[i] == f and keep(i) for i in range(len(order))])
        if test.any():
            pred[test] = model.logits(x[test]).argmax(axis=1)
    return pred


def main(
    argv: Sequence[str] | None = None,
    encode: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> int:
    """Train and write the weights; ``encode`` defaults to :func:`scoring.encoder.encode`."""
    from scoring.encoder import model_name

    if encode is None:
        from scoring.encoder import encode
    parser = argparse.ArgumentParser(prog="python -m scoring.mood_train")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)
    data = read_training_set()
    x = features(encode(list(data.texts)), data.texts)
    best = (-1.0, L2_GRID[0])
    for l2 in L2_GRID:
        pred = cross_validate(x, data, l2)
        f1 = macro_f1(data.labels, pred, range(len(LABELS)))
        print(f"l2={l2:g}: 5-fold macro-F1 {100 * f1:.1f}")
        best = max(best, (f1, l2))
    model = fit_softmax(x, data.labels, best[1], data.weights)
    model = MoodModel(model.weights, model.bias, encoder=model_name(), l2=best[1])
    model.save(args.out)
    print(f"wrote {args.out} (l2={best[1]:g}, {len(data.texts)} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
