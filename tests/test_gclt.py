"""The generalised CLT demo of chapter 01: tails, limit scale, convergence to SαS not Gaussian."""

import numpy as np
import pytest
from scipy import stats

from sgnlib import gclt


def test_pareto_tail_law():
    """P(|X| > x) = x^(-a) for x ≥ 1."""
    x = gclt.symmetric_pareto(1.5, 200_000, rng=0)
    for q in (2.0, 10.0):
        assert np.mean(np.abs(x) > q) == pytest.approx(q**-1.5, rel=0.05)
    assert abs(np.mean(x > 0) - 0.5) < 0.01


@pytest.mark.parametrize("alpha", [0.8, 1.0, 1.5, 1.8])
def test_tail_constant_matches_scipy(alpha):
    """K_α: P(|X|>x) ~ K_α x^-α, so the density ~ (α K_α / 2) x^(-α-1), for SαS(α, 1) (S&T Prop. 1.2.15).

    scipy's sf underflows to 0 far out for α > 1, so the density (piecewise method) is the reference.
    """
    x = 1e3
    tail = stats.levy_stable.pdf(x, alpha, 0.0) * x ** (alpha + 1) * 2 / alpha
    assert tail == pytest.approx(float(gclt.stable_tail_constant(alpha)), rel=3e-3)
    assert float(gclt.stable_tail_constant(1.0)) == pytest.approx(2 / np.pi)


def test_sums_converge_to_stable_limit_not_gaussian():
    """GCLT: n^(-1/a) Σ X_i → SαS(a, σ*) for a = 1.5; a Gaussian of any scale fits worse."""
    s = gclt.normalized_sums(1.5, 500, 4000, rng=1)
    sigma = gclt.limit_scale(1.5)
    ks_stable = stats.kstest(s, stats.levy_stable(1.5, 0.0, scale=sigma).cdf).statistic
    mad = np.median(np.abs(s - np.median(s))) / 0.6745
    ks_gauss = stats.kstest(s, stats.norm(scale=mad).cdf).statistic
    assert ks_stable < 0.03 < ks_gauss


def test_finite_variance_sums_go_gaussian():
    """a > 2: classical CLT with variance a/(a−2)."""
    s = gclt.normalized_sums(3.0, 400, 20_000, rng=2)
    assert np.var(s) == pytest.approx(3.0, rel=0.15)
    assert gclt.limit_scale(3.0) ** 2 * 2 == pytest.approx(3.0)


def test_blocking_and_seed():
    a = gclt.normalized_sums(1.2, 64, 10, rng=3, block=10 * 7)
    b = gclt.normalized_sums(1.2, 64, 10, rng=3, block=10 * 7)
    np.testing.assert_array_equal(a, b)


def test_bad_input():
    with pytest.raises(ValueError, match="tail must be finite and > 0; got -1.0"):
        gclt.symmetric_pareto(-1, 10)
    with pytest.raises(ValueError, match="tail = 2"):
        gclt.limit_scale(2.0)
    with pytest.raises(ValueError, match="n must be a positive integer; got 0"):
        gclt.normalized_sums(1.5, 0, 10)
    with pytest.raises(ValueError, match="alpha must lie in"):
        gclt.stable_tail_constant(2.5)
