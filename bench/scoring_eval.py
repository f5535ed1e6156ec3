"""Evaluate the scoring library against the labelled sets in ../shared/data, in one run.

    .venv/bin/python bench/scoring_eval.py [--data DIR] [--speed-calls N]

Prints resolution vs STC-3 task accomplishment (Spearman), empathy vs EPITOME emotional
reactions (AUC), scripted phrasing vs IBM Twitter recurring agent messages (precision, recall,
F1) and FED "Specific" (AUC), redaction precision/recall, and scoring speed on synthetic
10-minute calls.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scipy.stats import mannwhitneyu, spearmanr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import Interaction, Turn, default_rubric, score  # noqa: E402
from scoring.criteria.empathy import response_strength  # noqa: E402
from scoring.criteria.scripted_phrasing import turn_flags  # noqa: E402
from scoring.registry import CriterionInput, get_scorer  # noqa: E402
from scoring.sentiment import compound  # noqa: E402
from scoring.text import _find_cues, normalize  # noqa: E402


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return float(spearmanr(x, y).statistic)


def auc(labels: Sequence[bool], values: Sequence[float]) -> float:
    """Probability that a positive outranks a negative (ties count half): Mann-Whitney U."""
    pos = [v for v, y in zip(values, labels, strict=True) if y]
    neg = [v for v, y in zip(values, labels, strict=True) if not y]
    return float(mannwhitneyu(pos, neg).statistic) / (len(pos) * len(neg))


def criterion(key: str, interaction: Interaction, batch: tuple[Interaction, ...] = ()):  # type: ignore[no-untyped-def]
    spec = default_rubric().criterion(key)
    return get_scorer(spec.type).fn(CriterionInput(interaction, spec.settings, batch))


def eval_resolution(data: Path) -> list[tuple[str, str, str]]:
    dialogues = json.loads((data / "stc3-customer-helpdesk-dq" / "dialogues_en.json").read_text())
    gold, ours, naive = [], [], []
    for item in dialogues:
        turns = tuple(
            Turn(i, "agent" if t["sender"] == "helpdesk" else "customer", " ".join(t["utterances"]))
            for i, t in enumerate(item["turns"])
        )
        call = Interaction(str(item["id"]), turns)
        gold.append(statistics.fmean(a["quality"]["A"] for a in item["annotations"]))
        ours.append(criterion("resolution", call).score)
        naive.append(compound(call.customer_turns[-1].text))
    return [
        (
            "resolution vs STC-3 A (Spearman)",
            f"{spearman(ours, gold):.3f}",
            f"n={len(gold)}; naive last-customer-turn VADER {spearman(naive, gold):.3f}; "
            "target 0.45",
        )
    ]


_NAIVE_EMPATHY = re.compile(r"\b(?:sorry|hope|understand|feel|hugs?|love|care)\b", re.I)


def eval_empathy(data: Path) -> list[tuple[str, str, str]]:
    path = data / "epitome-empathy-reddit" / "emotional-reactions-reddit.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    settings = default_rubric().criterion("empathy").settings
    labels, scored, labels_all, strength, naive = [], [], [], [], []
    for row in rows:
        call = Interaction(
            row["rp_id"],
            (Turn(0, "customer", row["seeker_post"]), Turn(1, "agent", row["response_post"])),
        )
        positive = int(row["level"]) >= 1
        result = criterion("empathy", call)
        if result.score is not None:
            labels.append(positive)
            scored.append(result.score)
        labels_all.append(positive)
        strength.append(response_strength(row["response_post"], settings)[0])
        naive.append(len(_NAIVE_EMPATHY.findall(row["response_post"])))
    coverage = len(scored) / len(rows)
    return [
        (
            "empathy vs EPITOME ER >= 1 (AUC, criterion score)",
            f"{auc(labels, scored):.3f}",
            f"on the {coverage:.0%} of posts where an opportunity was detected; target 0.75",
        ),
        (
            "empathy vs EPITOME ER >= 1 (AUC, reply strength, all)",
            f"{auc(labels_all, strength):.3f}",
            f"n={len(rows)}; naive keyword count {auc(labels_all, naive):.3f}",
        ),
    ]


_HI_NAME = re.compile(r"^(?:user )?(?:hi|hey|hello|dear) (?!there\b)\w+")


def eval_scripted_ibm(data: Path) -> list[tuple[str, str, str]]:
    folder = data / "ibm-twitter-customer-care"
    with (folder / "derived_agent_messages_template_flag.csv").open(encoding="utf-8") as handle:
        recurring = {r["tweet_ID"]: r["is_exact_duplicate"] == "1" for r in csv.DictReader(handle)}
    batch, tweet_of = [], {}
    for conv in json.loads((folder / "dev.json").read_text()):
        session = conv["dialogHeader"]["sessionID"]
        turns: list[Turn] = []
        for msg in conv["dialogContent"]:
            turns.append(
                Turn(len(turns), "agent" if "agent" in msg else "customer", msg["message"])
            )
            tweet_of[(session, len(turns) - 1)] = msg["tweet_ID"]
        turns.append(Turn(len(turns), "agent", conv["agentURL"]["url_utterance"]))
        tweet_of[(session, len(turns) - 1)] = conv["agentURL"]["tweet_ID"]
        batch.append(Interaction(session, tuple(turns), conv["dialogHeader"]["company"]))
    batch_t = tuple(batch)
    settings = default_rubric().criterion("scripted_phrasing").settings
    tp = fp = fn = name_only = 0
    started = time.process_time()
    for call in batch_t:
        for turn, flags, _ in turn_flags(CriterionInput(call, settings, batch_t)):
            label = recurring.get(tweet_of[(call.interaction_id, turn.id)])
            if label is None:
                continue
            repeated = any("near-identical" in f or "repeats" in f for f in flags)
            tp += repeated and label
            fn += label and not repeated
            if repeated and not label:
                fp += 1
                # a template that differs only by the customer's name after "hi"
                name_only += bool(_HI_NAME.match(normalize(turn.text)))
    seconds = time.process_time() - started
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return [
        (
            "scripted: IBM recurring agent msgs (P / R / F1)",
            f"{precision:.3f} / {recall:.3f} / {f1:.3f}",
            f"{tp + fn} recurring, {fp} one-off flagged ({name_only} of them open 'hi <name>'); "
            f"{len(batch)} conversations in {seconds:.1f} s",
        )
    ]


def eval_scripted_fed(data: Path) -> list[tuple[str, str, str]]:
    items = json.loads((data / "fed-dialog-quality" / "fed_data.json").read_text())
    settings = default_rubric().criterion("scripted_phrasing").settings
    gold, ours = [], []
    for index, item in enumerate(items):
        if "response" not in item:
            continue
        turns: list[Turn] = []
        for line in item["context"].split("\n"):
            who, _, text = line.partition(":")
            if text:
                role = "customer" if who.strip() == "User" else "agent"
                turns.append(Turn(len(turns), role, text.strip()))
        turns.append(Turn(len(turns), "agent", item["response"].partition(":")[2].strip()))
        flags = turn_flags(CriterionInput(Interaction(str(index), tuple(turns)), settings))
        ours.append(flags[-1][2])
        votes = [v for v in item["annotations"]["Specific"] if isinstance(v, int | float)]
        gold.append(statistics.fmean(votes))
    return [
        (
            "scripted: FED Specific (AUC, specificity)",
            f"{auc([g >= 1.5 for g in gold], ours):.3f}",
            f"n={len(gold)}, specific = mean vote >= 1.5; with >= 1.0: "
            f"{auc([g >= 1.0 for g in gold], ours):.3f}; target 0.70",
        )
    ]


def eval_redaction() -> list[tuple[str, str, str]]:
    """Redaction figures on the labelled test sets in tests/data/scoring/redaction."""
    from scoring import evaluate_redaction as evaluate

    rows = []
    for path in sorted((ROOT / "tests" / "data" / "scoring" / "redaction").glob("*.jsonl")):
        cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        cases = [c for c in cases if "text" in c]
        if not cases:
            continue
        result = evaluate(cases)
        rows.append(
            (
                f"redaction, {path.name} (token P / R)",
                f"{result['precision']:.3f} / {result['recall']:.3f}",
                f"{len(cases)} cases; span recall {result['span_recall']:.3f}, "
                f"span precision {result['span_precision']:.3f}",
            )
        )
    return rows or [("redaction (P / R)", "n/a", "no labelled redaction cases found")]


def _long_call(dialogues: list[dict], start: int, minutes: float = 10.0) -> Interaction:
    """Stitch helpdesk turns into a timed call of ``minutes`` (2.5 words/s, short pauses)."""
    turns: list[Turn] = []
    clock, index = 0.0, start
    while clock < minutes * 60:
        for t in dialogues[index % len(dialogues)]["turns"]:
            text = " ".join(t["utterances"])
            length = max(1.0, len(text.split()) / 2.5)
            role = "agent" if t["sender"] == "helpdesk" else "customer"
            turns.append(Turn(len(turns), role, text, clock, clock + length))
            clock += length + 0.6
        index += 1
    return Interaction(f"long-{start}", tuple(turns), agent_id="bench-agent")


def eval_speed(data: Path, calls: int) -> list[tuple[str, str, str]]:
    dialogues = json.loads((data / "stc3-customer-helpdesk-dq" / "dialogues_en.json").read_text())
    batch = [_long_call(dialogues, i * 37) for i in range(calls)]
    rubric = default_rubric()
    score([_long_call(dialogues, 5)], rubric)  # load the VADER lexicon, compile the cue regexes
    # drop per-text caches filled by the evaluations above, so every call is scored from cold
    for cached in (compound, normalize, _find_cues):
        cached.cache_clear()
    started = time.process_time()
    for call in batch:
        score([call], rubric)
    alone = time.process_time() - started
    started = time.process_time()
    score(batch, rubric)
    together = time.process_time() - started
    turns = statistics.fmean(len(c.turns) for c in batch)
    return [
        (
            "speed, 10-min calls, one per batch",
            f"{calls / alone:.1f} /s",
            f"{calls} calls, mean {turns:.0f} turns, CPU seconds of one thread, no embeddings",
        ),
        (
            "speed, 10-min calls, one agent's batch",
            f"{calls / together:.1f} /s",
            f"all {calls} calls checked against each other for repetition",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--speed-calls", type=int, default=100)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"scoring_eval: {args.data}: evaluation data not found", file=sys.stderr)
        return 2
    rows: list[tuple[str, str, str]] = []
    for step in (eval_resolution, eval_empathy, eval_scripted_ibm, eval_scripted_fed):
        rows.extend(step(args.data))
    rows.extend(eval_redaction())
    rows.extend(eval_speed(args.data, args.speed_calls))
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':{width}} | value | notes |")
    print(f"| {'-' * width} | --- | --- |")
    for name, value, note in rows:
        print(f"| {name:{width}} | {value} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
