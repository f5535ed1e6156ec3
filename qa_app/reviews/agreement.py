"""Where the AI can be trusted: AI suggestion vs human score per criterion.

Over all submitted evaluations (and later states), per criterion: how many pairs, the mean
absolute error on the 0-100 scale, and Cohen's kappa after binning both scores into
low / mid / high, so a criterion where the AI merely shifts scores a little is not punished
like one where it disagrees on the verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.reviews.models import Criterion, Evaluation, EvaluationItem, EvaluationStatus

BINS = (0.5, 0.8)  # < 0.5 low, < 0.8 mid, else high
LABELS = ("low", "mid", "high")
MIN_PAIRS = 5  # fewer than this and kappa says nothing


def bin_score(score: float) -> int:
    return sum(score >= edge for edge in BINS)


def cohens_kappa(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Agreement beyond chance between two raters' categories; None when undefined."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in set(left) | set(right)) / (n * n)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else None  # one category only: perfect or undefined
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class CriterionAgreement:
    key: str
    label: str
    pairs: int
    mae: float | None  # on 0-100
    kappa: float | None
    exact_bin_share: float | None

    @property
    def verdict(self) -> str:
        if self.pairs < MIN_PAIRS or self.kappa is None:
            return "too few reviews"
        if self.kappa >= 0.6 and (self.mae or 0) <= 15:
            return "trust"
        if self.kappa >= 0.4:
            return "check"
        return "do not rely"


def agreement_report() -> list[CriterionAgreement]:
    rows = db.session.execute(
        select(Criterion.key, Criterion.label, EvaluationItem.ai_score, EvaluationItem.score)
        .join(EvaluationItem.criterion)
        .join(EvaluationItem.evaluation)
        .where(
            Evaluation.status != EvaluationStatus.DRAFT,
            Evaluation.calibration_id.is_(None),
            EvaluationItem.ai_score.is_not(None),
            EvaluationItem.score.is_not(None),
            EvaluationItem.is_na.is_(False),
        )
        .order_by(Criterion.position)
    ).all()
    grouped: dict[str, tuple[str, list[tuple[float, float]]]] = {}
    for key, label, ai, human in rows:
        grouped.setdefault(key, (label, []))[1].append((ai, human))
    report = []
    for key, (label, values) in grouped.items():
        binned = [(bin_score(a), bin_score(h)) for a, h in values]
        report.append(
            CriterionAgreement(
                key=key,
                label=label,
                pairs=len(values),
                mae=100 * sum(abs(a - h) for a, h in values) / len(values),
                kappa=cohens_kappa(binned),
                exact_bin_share=sum(a == h for a, h in binned) / len(binned),
            )
        )
    return report
