"""``python -m scoring.tags INPUT... --taxonomy FILE [--json OUT]``: tag items with evidence.

INPUT is a transcript JSON, a plain-text ``Agent:``/``Customer:`` transcript, or a ``.jsonl``
batch, one item a line: ``{"id", "text"}`` (a post, comment or email) or ``{"id", "turns":
[{"speaker", "text"}]}``. Bad lines give ``scoring.tags: FILE:LINE: reason`` on stderr and the
good ones are still tagged. Exit status: 0 all tagged, 1 some input failed, 2 bad taxonomy or
nothing to tag.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from scoring.errors import ScoringError
from scoring.tagging_core import tag
from scoring.tagging_io import read_all
from scoring.tagging_types import TagResult
from scoring.taxonomy import load_taxonomy

__all__ = ["main"]


def _table(results: Sequence[TagResult]) -> str:
    lines = []
    for result in results:
        tags = ", ".join(f"{m.tag} {m.confidence:.2f}" for m in result.tags) or "(no tag)"
        primary = ", ".join(f"{k}={v or '-'}" for k, v in result.primary.items())
        lines.append(f"{result.item_id}: {tags}\n  primary: {primary}")
        for match in result.tags:
            for ev in match.evidence[:2]:
                where = "" if ev.segment is None else f"#{ev.segment} "
                lines.append(f'    {match.tag}: {where}"{ev.quote[:70]}" ({ev.why})')
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring.tags", description=__doc__.splitlines()[0]
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="transcript or .jsonl batch")
    parser.add_argument("--taxonomy", required=True, metavar="FILE", help="taxonomy YAML/JSON")
    parser.add_argument("--json", metavar="OUT", help="write JSONL results here")
    args = parser.parse_args(argv)

    try:
        taxonomy = load_taxonomy(args.taxonomy)
    except ScoringError as exc:
        print(f"scoring.tags: {args.taxonomy}: invalid taxonomy: {exc}", file=sys.stderr)
        return 2
    items, errors = read_all(args.inputs)
    for error in errors:
        print(f"scoring.tags: {error}", file=sys.stderr)
    failed = len(errors)
    if not items:
        return 2
    try:
        results = tag(items, taxonomy)
    except ScoringError as exc:
        print(f"scoring.tags: {exc}", file=sys.stderr)
        return 2
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            for result in results:
                out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        print(_table(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
