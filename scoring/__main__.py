"""``python -m scoring INPUT... [--rubric FILE] [--json]``: score transcripts as one batch.

Bad inputs give one line each on stderr (``scoring: FILE: reason``); the others are still scored.
Exit status: 0 all scored, 1 some input failed, 2 nothing scored or the rubric is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from scoring.engine import score
from scoring.errors import ScoringError
from scoring.loaders import load_interaction
from scoring.rubric import load_rubric
from scoring.types import ScoreSheet


def _summary(sheet: ScoreSheet) -> str:
    parts = []
    for key, result in sheet.criteria.items():
        value = "n/a" if result.score is None else f"{result.score:.2f}"
        parts.append(f"{key}={value} ({result.label})")
    fail = " AUTO-FAIL" if sheet.auto_fail else ""
    return f"{sheet.interaction_id}: total {sheet.total:.1f}{fail}\n  " + "\n  ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="transcript JSON or text file")
    parser.add_argument("--rubric", metavar="FILE", help="rubric YAML/JSON (default: shipped)")
    parser.add_argument("--json", action="store_true", help="print JSON score sheets")
    args = parser.parse_args(argv)

    try:
        rubric = load_rubric(args.rubric)
    except ScoringError as exc:
        print(f"scoring: {args.rubric}: invalid rubric: {exc}", file=sys.stderr)
        return 2
    interactions = []
    failed = 0
    for path in args.inputs:
        try:
            interactions.append(load_interaction(path))
        except ScoringError as exc:
            print(f"scoring: {path}: {exc}", file=sys.stderr)
            failed += 1
    if not interactions:
        return 2
    sheets = score(interactions, rubric)
    if args.json:
        print(json.dumps([s.to_dict() for s in sheets], indent=2, ensure_ascii=False))
    else:
        print("\n".join(_summary(s) for s in sheets))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
