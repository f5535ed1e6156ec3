"""Student's t distribution, enough for a Welch interval without pulling in scipy.

The CDF goes through the regularized incomplete beta function, evaluated with a continued
fraction (modified Lentz); the quantile is found by bisection, which is plenty fast for the
handful of intervals a report draws.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

__all__ = ["t_cdf", "t_quantile", "welch_interval"]

_TINY = 1e-300


def _guard(value: float) -> float:
    return value if abs(value) > _TINY else _TINY


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction part of I_x(a, b); converges fast for x < (a + 1) / (a + b + 2)."""
    c = 1.0
    d = 1.0 / _guard(1.0 - (a + b) * x / (a + 1.0))
    result = d
    for m in range(1, 300):
        even = m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m))
        d = 1.0 / _guard(1.0 + even * d)
        c = _guard(1.0 + even / c)
        result *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))
        d = 1.0 / _guard(1.0 + odd * d)
        c = _guard(1.0 + odd / c)
        step = d * c
        result *= step
        if abs(step - 1.0) < 1e-14:
            break
    return result


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (possibly fractional) degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t value with ``t_cdf(t, df) == p``, for 0 < p < 1."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError("p must be within (0, 1) and df positive")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(64):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def welch_interval(
    before: Sequence[float], after: Sequence[float], confidence: float
) -> tuple[float, float, float]:
    """Difference of means (after - before) and its Welch t-interval; needs 2+ values a side.

    When neither side varies the interval collapses onto the difference.
    """
    change = statistics.fmean(after) - statistics.fmean(before)
    var_before = statistics.variance(before) / len(before)
    var_after = statistics.variance(after) / len(after)
    spread = var_before + var_after
    if spread == 0.0:
        return change, change, change
    df = spread**2 / (var_before**2 / (len(before) - 1) + var_after**2 / (len(after) - 1))
    margin = t_quantile(1.0 - (1.0 - confidence) / 2.0, df) * math.sqrt(spread)
    return change, change - margin, change + margin
