"""``python -m training [FOLDER]``: validate a module catalog and list what it trains.

Exit status 1 with every problem listed when the catalog is invalid, so a trainer (or CI) can
check edited module files before they reach the app.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from training.catalog import CatalogError, load_catalog


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print("usage: python -m training [FOLDER]", file=sys.stderr)
        return 2
    try:
        catalog = load_catalog(args[0] if args else None)
    except (CatalogError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1
    for module in catalog:
        trains = ", ".join(module.criteria)
        print(
            f"{module.id}: {module.minutes} min, {len(module.quiz.questions)} questions; {trains}"
        )
    print(f"{len(catalog)} modules train: {', '.join(sorted(catalog.criteria))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
