"""The shipped mood classifier keeps its measured accuracy on a set it was never trained on.

DynaSent Round 1 (Yelp sentences, 3 classes): every 12th of the 7,200 dev+test rows. Measured
with ``bench/mood_eval.py``'s model on 2026-11-25: macro-F1 57.6 (VADER at its standard
thresholds: 54.7 on the same 600 sentences). The encoder runs each text alone, so the figure is
reproducible; the margin only absorbs floating-point differences between CPUs.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from scoring import text_moods
from scoring.mood_model import LABELS
from scoring.mood_train import macro_f1
from scoring.sentiment import compound
from tests.conftest import shared_data

MEASURED_MACRO_F1 = 0.576
MARGIN = 0.02


@pytest.mark.models
def test_dynasent_round1_sample_keeps_its_macro_f1_and_beats_vader() -> None:
    path = shared_data("review-sentiment", "dynasent_dev_test.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source"].startswith("dynasent-r1")]
    rows = rows[::12]
    assert len(rows) == 600
    gold = np.array([LABELS.index(r["label"]) for r in rows])
    pred = np.array([LABELS.index(m.label) for m in text_moods([r["text"] for r in rows])])
    ours = macro_f1(gold, pred, range(3))
    scores = np.array([compound(r["text"]) for r in rows])
    vader = macro_f1(gold, np.where(scores <= -0.05, 0, np.where(scores >= 0.05, 2, 1)), range(3))
    assert ours >= MEASURED_MACRO_F1 - MARGIN, f"macro-F1 {ours:.3f}"
    assert ours > vader, f"mood {ours:.3f} vs VADER {vader:.3f}"
