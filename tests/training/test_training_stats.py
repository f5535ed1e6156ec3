from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from training import Observation, effect
from training.stats import t_cdf, t_quantile, welch_interval


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (30, 2.042), (120, 1.980)],
)
def test_t_quantile_matches_the_printed_table(df: float, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=5e-4)


def test_t_cdf_is_symmetric_and_inverts_the_quantile() -> None:
    assert t_cdf(0.0, 7.3) == pytest.approx(0.5)
    for p in (0.6, 0.9, 0.995):
        t = t_quantile(p, 7.3)
        assert t_cdf(t, 7.3) == pytest.approx(p, abs=1e-9)
        assert t_cdf(-t, 7.3) == pytest.approx(1 - p, abs=1e-9)
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)


def test_welch_interval_on_constant_samples_collapses() -> None:
    assert welch_interval([0.5] * 4, [0.7] * 4, 0.95) == pytest.approx((0.2, 0.2, 0.2))


def test_welch_interval_matches_a_hand_computed_case() -> None:
    # before mean 0.4, var 0.01; after mean 0.6, var 0.01; n=5 each -> se = sqrt(0.004), df = 8.
    before, after = [0.3, 0.35, 0.4, 0.45, 0.5], [0.5, 0.55, 0.6, 0.65, 0.7]
    change, low, high = welch_interval(before, after, 0.95)
    margin = 2.306 * (0.00625 / 5 * 2) ** 0.5
    assert change == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.2 - margin, 0.2 + margin), abs=1e-3)


def test_effect_interval_keeps_its_coverage_with_few_evaluations() -> None:
    """Scores uniform on 0.3..0.7 before and 0.4..0.8 after: the true change is 0.10."""
    rng = random.Random(20250301)
    start = datetime(2025, 1, 1)

    def sample(low: float, offset: int) -> list[Observation]:
        return [
            Observation(
                "a",
                "empathy",
                rng.uniform(low, low + 0.4),
                "human",
                start + timedelta(days=offset + i),
                f"e{offset + i}",
            )
            for i in range(5)
        ]

    trials = 400
    covered = 0
    for _ in range(trials):
        result = effect(sample(0.3, 0), sample(0.4, 10)).overall
        covered += result.low <= 0.10 <= result.high
    assert 0.92 <= covered / trials <= 0.98
