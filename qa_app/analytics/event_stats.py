"""Before/after statistics for events: pure functions over counts, no database.

Volume is compared as a rate (contacts per day), because the two windows may differ in length
when the data ends (or starts) inside one of them. The test is the exact conditional test for
two Poisson rates: given the total count, the after-count is binomial with the after window's
share of the exposure. Shares (negative mood, each tag) use the two-proportion z-test, and tag
shares are corrected for multiple testing with Benjamini-Hochberg (both from
``significance``; this module adds the empty-window cases and the difference's interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as sps

from qa_app.analytics.significance import Z95, benjamini_hochberg, two_proportion_z

__all__ = [
    "RateComparison",
    "ShareComparison",
    "benjamini_hochberg",
    "compare_rates",
    "compare_shares",
]


@dataclass(frozen=True)
class RateComparison:
    """Contacts per day before and after; ``ratio`` and its CI are None when undefined."""

    before: int
    after: int
    before_days: float
    after_days: float
    before_rate: float | None
    after_rate: float | None
    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None


@dataclass(frozen=True)
class ShareComparison:
    """A share before and after: difference (after - before) with a Wald 95% CI, z-test p."""

    before_hits: int
    before_n: int
    after_hits: int
    after_n: int
    before_share: float | None
    after_share: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None


def compare_rates(before: int, before_days: float, after: int, after_days: float) -> RateComparison:
    """Rate ratio after/before with an exact (conditional binomial) test and 95% CI.

    A window of zero length has no rate; a zero count before makes the ratio undefined, but the
    test still runs (it asks whether the split of the total matches the split of the time).
    """
    before_rate = before / before_days if before_days > 0 else None
    after_rate = after / after_days if after_days > 0 else None
    if before_rate is None or after_rate is None:
        return RateComparison(
            before, after, before_days, after_days, before_rate, after_rate, None, None, None, None
        )
    total = before + after
    if total == 0:
        return RateComparison(
            before, after, before_days, after_days, 0.0, 0.0, None, None, None, None
        )
    share = after_days / (before_days + after_days)
    result = sps.binomtest(after, total, share)
    ci = result.proportion_ci(confidence_level=0.95, method="exact")
    scale = before_days / after_days

    def to_ratio(p: float) -> float | None:
        return None if p >= 1.0 else p / (1.0 - p) * scale

    ratio = (after_rate / before_rate) if before else None
    return RateComparison(
        before,
        after,
        before_days,
        after_days,
        before_rate,
        after_rate,
        ratio,
        to_ratio(ci.low),
        to_ratio(ci.high),
        float(result.pvalue),
    )


def compare_shares(
    before_hits: int, before_n: int, after_hits: int, after_n: int
) -> ShareComparison:
    """Two-proportion z-test (pooled variance) and the difference's Wald 95% interval.

    With no interactions on either side nothing is compared; with a pooled share of 0 or 1 the
    two sides are identical and p is 1.
    """
    before_share = before_hits / before_n if before_n else None
    after_share = after_hits / after_n if after_n else None
    if before_share is None or after_share is None:
        return ShareComparison(
            before_hits, before_n, after_hits, after_n, before_share, after_share,
            None, None, None, None,
        )  # fmt: skip
    difference = after_share - before_share
    p_value = two_proportion_z(after_hits, after_n, before_hits, before_n).p_value
    se = math.sqrt(
        before_share * (1 - before_share) / before_n + after_share * (1 - after_share) / after_n
    )
    return ShareComparison(
        before_hits,
        before_n,
        after_hits,
        after_n,
        before_share,
        after_share,
        difference,
        max(-1.0, difference - Z95 * se),
        min(1.0, difference + Z95 * se),
        p_value,
    )
