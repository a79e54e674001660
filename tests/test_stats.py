"""``sgnlib.stats``: binomial intervals, survival curves, censored means, slopes with intervals."""

import numpy as np
import pytest
from scipy import stats as st

from sgnlib import stats


def test_wilson_interval_matches_known_values_and_covers():
    """Wilson (1927) interval: 7/10 at 95 % is [0.397, 0.892]; coverage near 95 % at p = 0.3, n = 50."""
    lo, hi = stats.binomial_interval(7, 10)
    assert lo == pytest.approx(0.3968, abs=1e-3) and hi == pytest.approx(0.8922, abs=1e-3)
    rng = np.random.default_rng(0)
    k = rng.binomial(50, 0.3, size=4000)
    lo, hi = stats.binomial_interval(k, 50)
    cover = np.mean((lo <= 0.3) & (0.3 <= hi))
    assert 0.93 < cover < 0.97


def test_binomial_test_greater_is_exact():
    """P(X >= 8), X ~ Bin(10, 1/2) = 56/1024."""
    assert stats.binomial_test_greater(8, 10) == pytest.approx(56 / 1024)


@pytest.mark.parametrize("k,n", [(11, 10), (-1, 10), (1.5, 10), (1, 0)])
def test_bad_counts_are_named(k, n):
    """Counts outside [0, n] or not whole are one-line errors."""
    with pytest.raises(ValueError):
        stats.binomial_interval(k, n)


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    """With every time observed, Kaplan–Meier equals the share of times above each time."""
    t = np.array([3.0, 1.0, 2.0, 5.0])
    km_t, km_s = stats.kaplan_meier(t)
    e_t, e_s = stats.empirical_survival(t)
    assert np.array_equal(km_t, e_t) and np.allclose(km_s, e_s)
    assert np.allclose(e_s, [0.75, 0.5, 0.25, 0.0])


def test_kaplan_meier_handles_censoring():
    """Textbook example: times 1, 2+, 3, 4 (2 censored) → S = 3/4, 3/4·1/2, 0."""
    t, s = stats.kaplan_meier([1, 2, 3, 4], [True, False, True, True])
    assert np.allclose(t, [1, 3, 4]) and np.allclose(s, [0.75, 0.375, 0.0])


def test_censored_exponential_mean_is_unbiased_for_exponential_times():
    """Σt / #events recovers the mean of exponential times censored at a horizon."""
    rng = np.random.default_rng(1)
    t = rng.exponential(2.0, size=20000)
    obs = t < 3.0
    m, se = stats.censored_exponential_mean(np.minimum(t, 3.0), obs)
    assert abs(m - 2.0) < 3 * se
    with pytest.raises(ValueError, match="censored"):
        stats.censored_exponential_mean([1.0, 2.0], [False, False])


def test_linear_fit_slope_interval_matches_scipy():
    """The slope and its standard error agree with scipy.stats.linregress."""
    rng = np.random.default_rng(2)
    x = np.linspace(0, 1, 20)
    y = 1 - 2 * x + rng.normal(0, 0.1, x.size)
    fit = stats.linear_fit(x, y)
    ref = st.linregress(x, y)
    assert fit.slope == pytest.approx(ref.slope) and fit.slope_se == pytest.approx(ref.stderr)
    assert fit.slope_lo < -2 < fit.slope_hi
    with pytest.raises(ValueError, match="at least 3"):
        stats.linear_fit([0, 1], [0, 1])


def test_mean_ci_covers():
    """Student-t interval of a mean: 1.96-ish half-width for large n."""
    m, lo, hi = stats.mean_ci(np.arange(100.0))
    assert m == 49.5 and lo < 49.5 < hi
