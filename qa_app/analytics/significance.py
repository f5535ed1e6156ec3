"""Significance tests and intervals for analytics; pure functions over counts.

Shares are compared between two periods (a tag's share now against before) with a two-sided
two-proportion z-test, or a chi-square test of a contingency table; when many tags are tested at
once, Benjamini-Hochberg keeps the false discovery rate at ``alpha`` so one "mover" in twenty is
not noise. Wilson intervals stay inside [0, 1] and behave for small counts and shares near 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as sps

Z95 = 1.959963984540054  # the two-sided 95% normal quantile


@dataclass(frozen=True)
class ProportionTest:
    p1: float  # share in the first sample (e.g. this period)
    p0: float  # share in the second sample (e.g. the previous period)
    diff: float  # p1 - p0
    z: float
    p_value: float  # two-sided


def two_proportion_z(x1: int, n1: int, x0: int, n0: int) -> ProportionTest:
    """Two-sided z-test of x1/n1 against x0/n0 with the pooled standard error.

    An empty sample, or both shares 0 or both 1, carries no evidence: p = 1.
    """
    p1 = x1 / n1 if n1 else 0.0
    p0 = x0 / n0 if n0 else 0.0
    if not n1 or not n0:
        return ProportionTest(p1, p0, p1 - p0, 0.0, 1.0)
    pooled = (x1 + x0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return ProportionTest(p1, p0, p1 - p0, 0.0, 1.0)
    z = (p1 - p0) / se
    return ProportionTest(p1, p0, p1 - p0, z, float(2 * sps.norm.sf(abs(z))))


def chi_square(table: Sequence[Sequence[int]]) -> tuple[float, float]:
    """Chi-square statistic and p-value of a contingency table (no continuity correction).

    Rows or columns that are all zero are dropped; a table left smaller than 2x2 gives (0, 1).
    """
    rows = [list(r) for r in table if any(r)]
    if not rows:
        return 0.0, 1.0
    keep = [j for j in range(len(rows[0])) if any(r[j] for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    if len(rows) < 2 or len(keep) < 2:
        return 0.0, 1.0
    result = sps.chi2_contingency(rows, correction=False)
    return float(result.statistic), float(result.pvalue)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p-values (q-values) in input order; reject where q <= alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down, keep q monotone
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(running, 1.0)
    return adjusted


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a share; (0, 1) when there is no data."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(
    n: int,
    mean: float,
    mean_of_squares: float,
    z: float = Z95,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> tuple[float, float]:
    """Normal-approximation interval of a mean from aggregate sums (what SQL returns cheaply),
    clipped to the scale's ``bounds`` (a QA score is never below 0).

    Uses the sample standard deviation; with fewer than two values the interval is the mean.
    """
    if n < 2:
        return mean, mean
    variance = max(mean_of_squares - mean * mean, 0.0) * n / (n - 1)
    half = z * math.sqrt(variance / n)
    return max(mean - half, bounds[0]), min(mean + half, bounds[1])
