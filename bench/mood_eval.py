"""Customer mood against VADER on the labelled sets in ../shared/data, in one run.

    .venv/bin/python bench/mood_eval.py [--data DIR] [--uss-dialogues N] [--cache DIR]

Prints accuracy and macro-F1 (%) per set for VADER (standard thresholds, and thresholds
recalibrated 2-fold: tuned on one random half, scored on the other, predictions pooled) and for
the shipped mood classifier (argmax, and recalibrated the same way), plus the classifier with the
dialogue cues on the customer turns of USS task-oriented dialogues.

Which sets are clean: the classifier is trained on DynaSent Round 2 and the hand-written lines in
``scoring/data/``; Round 2 figures here are out-of-fold (5-fold, retrained per fold on Round 2
plus the hand-written lines). UCI, DynaSent Round 1 and USS are never trained on. The dialogue
cue strengths are hand-set; USS (research-use labels) only measures them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.encoder import encode, model_name  # noqa: E402
from scoring.mood_analysis import (  # noqa: E402
    mood_trajectory_score,
    summarize_turns,
    turn_moods,
)
from scoring.mood_dialogue import CUE_STRENGTH  # noqa: E402
from scoring.mood_model import LABELS, features, load_model, softmax  # noqa: E402
from scoring.mood_train import (  # noqa: E402
    cross_validate,
    macro_f1,
    read_training_set,
)
from scoring.sentiment import compound  # noqa: E402

USS_FILES = ("MWOZ", "SGD", "ReDial", "CCPE")
NEG, NEU, POS = 0, 1, 2


@dataclass(frozen=True)
class Dialogue:
    speakers: tuple[str, ...]
    texts: tuple[str, ...]
    gold: tuple[int | None, ...]  # per turn: label index for customer turns, else None
    overall: float  # mean of the annotators' 1-5 satisfaction with the whole dialogue


def embed(texts: Sequence[str], cache: Path) -> np.ndarray:
    """Encoder vectors, cached on disk by model and exact texts (encoding is the slow part)."""
    key = hashlib.sha1("\x00".join([model_name(), *texts]).encode()).hexdigest()[:16]
    path = cache / f"{key}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = encode(list(texts))
    print(f"  (encoded {len(texts)} texts in {time.perf_counter() - started:.0f} s)")
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def read_reviews(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def uss_label(ratings: str) -> int:
    """Mean of the annotators' 1-5 satisfaction: below 2.5 negative, above 3.5 positive."""
    mean = float(np.mean([int(r) for r in ratings.split(",")]))
    return NEG if mean < 2.5 else POS if mean > 3.5 else NEU


def read_uss(path: Path, count: int, seed: int) -> list[Dialogue]:
    dialogues, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                dialogues.append(current)
            current = []
            continue
        current.append(line.split("\t"))
    picked = np.random.default_rng(seed).permutation(len(dialogues))[:count]
    out = []
    for index in sorted(picked):
        overall = [r for r in dialogues[index] if r[0] == "USER" and r[1] == "OVERALL"]
        rows = [r for r in dialogues[index] if not (r[0] == "USER" and r[1] == "OVERALL")]
        speakers = tuple("customer" if r[0] == "USER" else "agent" for r in rows)
        gold = tuple(uss_label(r[3]) if r[0] == "USER" and len(r) > 3 else None for r in rows)
        rating = float(np.mean([int(x) for x in overall[0][3].split(",")])) if overall else 3.0
        out.append(Dialogue(speakers, tuple(r[1] for r in rows), gold, rating))
    return out


def three_way(scores: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.where(scores <= low, NEG, np.where(scores >= high, POS, NEU))


def tune(scores: np.ndarray, gold: np.ndarray, classes: Sequence[int]) -> tuple[float, float]:
    """Thresholds (grid 0.01) maximizing macro-F1; binary sets use one cut (low = high).

    Counts come from cumulative sums per class, so all threshold pairs are scored at once.
    """
    grid = np.round(np.arange(-1.0, 1.0001, 0.01), 2)
    # at_most[c][k]: class-c items with score <= grid[k]; below[c][k]: with score < grid[k]
    at_most = np.array(
        [np.searchsorted(np.sort(scores[gold == c]), grid, "right") for c in classes]
    )
    below = np.array([np.searchsorted(np.sort(scores[gold == c]), grid, "left") for c in classes])
    totals = np.array([np.sum(gold == c) for c in classes], dtype=float)
    if len(classes) == 2:
        neg = at_most.astype(float)  # predicted negative: score <= cut
        pos = totals[:, None] - neg
        f1 = (_f1(neg[0], neg.sum(0), totals[0]) + _f1(pos[1], pos.sum(0), totals[1])) / 2
        k = int(np.argmax(f1))
        return float(grid[k]), float(grid[k])
    neg = at_most[:, :, None].astype(float)  # axis 1: low, axis 2: high
    pos = (totals[:, None] - below)[:, None, :].astype(float)
    neu = totals[:, None, None] - neg - pos
    f1 = (
        sum(
            _f1(pred[c], pred.sum(0), totals[c])
            for c, pred in zip(range(3), (neg, neu, pos), strict=True)
        )
        / 3
    )
    valid = grid[:, None] < grid[None, :]
    f1 = np.where(valid, f1, -1.0)
    low, high = np.unravel_index(int(np.argmax(f1)), f1.shape)
    return float(grid[low]), float(grid[high])


def _f1(true_pos: np.ndarray, predicted: np.ndarray, actual: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = 2 * true_pos / (predicted + actual)
    return np.nan_to_num(f1)


def binary(scores: np.ndarray, cut: float) -> np.ndarray:
    return np.where(scores > cut, POS, NEG)


def recalibrated(scores: np.ndarray, gold: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    """2-fold: thresholds tuned on one random half predict the other half."""
    half = np.random.default_rng(11).permutation(len(scores)) % 2 == 0
    pred = np.empty(len(scores), dtype=int)
    for fit in (half, ~half):
        low, high = tune(scores[fit], gold[fit], classes)
        apply = three_way if len(classes) == 3 else lambda s, lo, _hi: binary(s, lo)
        pred[~fit] = apply(scores[~fit], low, high)
    return pred


def report(name: str, gold: np.ndarray, rows: list[tuple[str, np.ndarray]], classes) -> None:  # type: ignore[no-untyped-def]
    counts = "/".join(str(int(np.sum(gold == c))) for c in classes)
    print(f"\n{name}  (n={len(gold)}, gold {'/'.join(LABELS[c][:3] for c in classes)} {counts})")
    for method, pred in rows:
        acc = 100 * float(np.mean(pred == gold))
        f1 = 100 * macro_f1(gold, pred, classes)
        print(f"  {method:<34} acc {acc:5.1f}  macro-F1 {f1:5.1f}")


def standard_and_tuned(label: str, scores: np.ndarray, gold: np.ndarray, classes):  # type: ignore[no-untyped-def]
    if len(classes) == 2:
        standard = binary(scores, 0.0 if label.startswith("mood") else 0.0499)
    else:
        standard = three_way(scores, -0.05, 0.05) if label == "VADER" else None
    rows = [] if standard is None else [(f"{label} standard", standard)]
    rows.append((f"{label} recalibrated (2-fold)", recalibrated(scores, gold, classes)))
    return rows


def sentence_sets(data: Path, cache: Path, mood_probs: Callable[..., np.ndarray]) -> None:
    reviews = data / "review-sentiment"
    uci = read_reviews(reviews / "uci_sentiment_labelled_sentences.csv")
    dyn = [r for r in read_reviews(reviews / "dynasent_dev_test.csv") if "-r1-" in r["source"]]
    for name, rows, classes in (
        ("UCI (binary; amazon+imdb+yelp; never trained on)", uci, (NEG, POS)),
        ("DynaSent Round 1 dev+test (never trained on)", dyn, (NEG, NEU, POS)),
    ):
        texts = [r["text"] for r in rows]
        gold = np.array([LABELS.index(r["label"]) for r in rows])
        vader = np.array([compound(t) for t in texts])
        probs = mood_probs(embed(texts, cache), texts)
        score = probs[:, 2] - probs[:, 0]
        out = standard_and_tuned("VADER", vader, gold, classes)
        if len(classes) == 2:
            out.append(("VADER, neutral output counted wrong", three_way(vader, -0.05, 0.05)))
            out.append(("mood argmax, neutral counted wrong", probs.argmax(axis=1)))
        else:
            out.append(("mood argmax", probs.argmax(axis=1)))
        out += standard_and_tuned("mood", score, gold, classes)
        report(name, gold, out, classes)


def training_set_oof(cache: Path) -> None:
    data = read_training_set()
    x = features(embed(list(data.texts), cache), data.texts)
    in_r2 = np.array([not t for t in _support_flags(data)])
    l2 = load_model().l2
    pred = cross_validate(x, data, l2, keep=lambda i: bool(in_r2[i]))
    gold = data.labels[in_r2]
    vader = np.array([compound(t) for t, keep in zip(data.texts, in_r2, strict=True) if keep])
    rows = standard_and_tuned("VADER", vader, gold, (NEG, NEU, POS))
    rows.append((f"mood argmax, out-of-fold (l2={l2:g})", pred[in_r2]))
    report("DynaSent Round 2 dev+test (training set: 5-fold out-of-fold)", gold, rows, (0, 1, 2))


def _support_flags(data) -> list[bool]:  # type: ignore[no-untyped-def]
    return [w != 1.0 for w in data.weights]


def _customer_labels(dialogues: list[Dialogue], vectors: np.ndarray, dialogue: bool):  # type: ignore[no-untyped-def]
    """(gold, VADER compound, mood score, mood argmax label) over scored customer turns."""
    rows, offset = [], 0
    for d in dialogues:
        block = vectors[offset : offset + len(d.texts)]
        offset += len(d.texts)
        moods = turn_moods(d.speakers, d.texts, block, dialogue=dialogue)
        for i, (mood, gold) in enumerate(zip(moods, d.gold, strict=True)):
            if gold is not None and mood is not None:
                rows.append((gold, compound(d.texts[i]), mood.score, LABELS.index(mood.label)))
    gold_a, vader, score, label = (np.array(col) for col in zip(*rows, strict=True))
    return gold_a, vader, score, label


def _without(cue: str, dialogues: list[Dialogue], vectors: np.ndarray) -> np.ndarray:
    """Argmax labels of customer turns with one cue switched off (ablation)."""
    saved = CUE_STRENGTH[cue]
    CUE_STRENGTH[cue] = 0.0
    try:
        return _customer_labels(dialogues, vectors, True)[3]
    finally:
        CUE_STRENGTH[cue] = saved


def _uss_rows(columns: dict[str, list[np.ndarray]]) -> list[tuple[str, np.ndarray]]:
    gold = np.concatenate(columns["gold"])
    joined = {k: np.concatenate(v) for k, v in columns.items()}
    rows = standard_and_tuned("VADER", joined["vader"], gold, (NEG, NEU, POS))
    rows += [
        ("mood text only, argmax", joined["plain_label"]),
        ("mood text only, recalibrated", recalibrated(joined["plain"], gold, (0, 1, 2))),
        ("mood + dialogue cues, argmax", joined["cued_label"]),
        ("mood + dialogue cues, recalibrated", recalibrated(joined["cued"], gold, (0, 1, 2))),
    ]
    rows += [(k, v) for k, v in joined.items() if k.startswith("mood + cues without")]
    return rows


def dialogue_level(name: str, dialogues: list[Dialogue], vectors: np.ndarray) -> None:
    """Spearman of per-dialogue summaries against the annotators' overall satisfaction."""
    from scipy.stats import spearmanr

    columns: dict[str, list[float]] = {
        "VADER mean of customer turns": [],
        "mood score (mean of customer turns)": [],
        "mood end score": [],
        "mood_trajectory_score": [],
    }
    offset = 0
    for d in dialogues:
        block = vectors[offset : offset + len(d.texts)]
        offset += len(d.texts)
        moods = [m for m in turn_moods(d.speakers, d.texts, block) if m is not None]
        result = summarize_turns("", moods, d.texts)
        customer = [t for t, s in zip(d.texts, d.speakers, strict=True) if s == "customer"]
        values = [
            float(np.mean([compound(t) for t in customer])) if customer else 0.0,
            result.score,
            result.end_score,
            mood_trajectory_score(result),
        ]
        for key, value in zip(columns, values, strict=True):
            columns[key].append(value)
    overall = [d.overall for d in dialogues]
    print(f"  per dialogue vs overall satisfaction ({name}, n={len(dialogues)}), Spearman:")
    for key, values in columns.items():
        print(f"    {key:<36} {spearmanr(values, overall).statistic:+.3f}")


def uss_sets(
    data: Path, cache: Path, count: int, ablate: bool = False, corpora: Sequence[str] = USS_FILES
) -> None:
    pooled: dict[str, list[np.ndarray]] = {}
    all_dialogues, all_vectors = [], []
    for corpus in corpora:
        dialogues = read_uss(data / "uss-user-satisfaction" / f"{corpus}.txt", count, seed=5)
        vectors = embed([t for d in dialogues for t in d.texts], cache)
        gold, vader, plain, plain_label = _customer_labels(dialogues, vectors, False)
        _, _, cued, cued_label = _customer_labels(dialogues, vectors, True)
        columns = {
            "gold": [gold],
            "vader": [vader],
            "plain": [plain],
            "plain_label": [plain_label],
            "cued": [cued],
            "cued_label": [cued_label],
        }
        for cue in CUE_STRENGTH if ablate else ():
            columns[f"mood + cues without {cue}, argmax"] = [_without(cue, dialogues, vectors)]
        for key, value in columns.items():
            pooled.setdefault(key, []).extend(value)
        name = f"USS {corpus}: customer turns of {len(dialogues)} random dialogues"
        report(name, gold, _uss_rows(columns), (NEG, NEU, POS))
        dialogue_level(corpus, dialogues, vectors)
        all_dialogues += dialogues
        all_vectors.append(vectors)
    if len(corpora) > 1:
        name = f"USS pooled ({', '.join(corpora)}; thresholds recalibrated on the pool)"
        report(name, np.concatenate(pooled["gold"]), _uss_rows(pooled), (NEG, NEU, POS))
        dialogue_level("pooled", all_dialogues, np.concatenate(all_vectors))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--uss-dialogues", type=int, default=100)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/callqa-mood-cache"))
    parser.add_argument("--only", choices=("sentences", "train", "uss"), default=None)
    parser.add_argument("--ablate", action="store_true", help="USS rows with each cue off")
    parser.add_argument("--uss-corpora", default=",".join(USS_FILES), help="comma-separated")
    args = parser.parse_args(argv)
    model = load_model()
    print(f"encoder {model_name()}; weights trained with {model.encoder or 'unknown encoder'}")

    def mood_probs(x: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return softmax(model.logits(features(x, texts)))

    started = time.perf_counter()
    if args.only in (None, "sentences"):
        sentence_sets(args.data, args.cache, mood_probs)
    if args.only in (None, "train"):
        training_set_oof(args.cache)
    if args.only in (None, "uss"):
        corpora = args.uss_corpora.split(",")
        uss_sets(args.data, args.cache, args.uss_dialogues, args.ablate, corpora)
    print(f"\ntook {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
