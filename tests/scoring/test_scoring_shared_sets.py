"""Guards on the labelled shared sets: the figures the issue asks for must not regress."""

from __future__ import annotations

import csv
import json
import statistics

from scipy.stats import mannwhitneyu, spearmanr

from scoring import Interaction, Turn, default_rubric
from scoring.registry import CriterionInput, get_scorer
from tests.conftest import shared_data


def _criterion(key: str, call: Interaction):  # type: ignore[no-untyped-def]
    spec = default_rubric().criterion(key)
    return get_scorer(spec.type).fn(CriterionInput(call, spec.settings))


def test_resolution_tracks_stc3_task_accomplishment() -> None:
    path = shared_data("stc3-customer-helpdesk-dq", "dialogues_en.json")
    gold, ours = [], []
    for item in json.loads(path.read_text()):
        turns = tuple(
            Turn(i, "agent" if t["sender"] == "helpdesk" else "customer", " ".join(t["utterances"]))
            for i, t in enumerate(item["turns"])
        )
        gold.append(statistics.fmean(a["quality"]["A"] for a in item["annotations"]))
        ours.append(_criterion("resolution", Interaction(str(item["id"]), turns)).score)
    assert spearmanr(ours, gold).statistic >= 0.45


def test_empathy_separates_epitome_emotional_reactions() -> None:
    path = shared_data("epitome-empathy-reddit", "emotional-reactions-reddit.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pos, neg = [], []
    for row in rows:
        call = Interaction(
            row["rp_id"],
            (Turn(0, "customer", row["seeker_post"]), Turn(1, "agent", row["response_post"])),
        )
        value = _criterion("empathy", call).score
        if value is not None:
            (pos if int(row["level"]) >= 1 else neg).append(value)
    # AUC: the chance a reply with emotional reaction outscores one without (Mann-Whitney U)
    assert mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg)) >= 0.75
