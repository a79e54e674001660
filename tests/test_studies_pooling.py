"""Tests of sgnlib.studies.pooling: pooled coordinates of different scales (eq. scale-mixture, chapter 02)."""

from __future__ import annotations

import numpy as np
import pytest

from sgnlib.studies import pooling


def test_scale_mixture_scales_and_arguments():
    """Coordinate j has sd s_j = 10^(spread·N(0,1)): spread 0 gives unit scales; bad sizes are named."""
    x = pooling.scale_mixture(0.0, 5, 4000, np.random.default_rng(0))
    np.testing.assert_allclose(x.std(0), 1.0, rtol=0.06)
    y = pooling.scale_mixture(1.0, 50, 200, np.random.default_rng(0))
    assert np.log10(y.std(0)).std() > 0.6
    with pytest.raises(ValueError, match="n_coords"):
        pooling.scale_mixture(0.5, 0, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="spread"):
        pooling.scale_mixture(-0.5, 3, 10, np.random.default_rng(0))


def test_pooling_sweep_manufactures_heavy_tails_per_spread():
    """Per coordinate α̂ = 2 at every spread; pooled α̂ falls with the spread (0.5 decades: below 1.5); scaling first removes it."""
    df = pooling.pooling_sweep([0.0, 0.5], 60, 300, seed=0)
    assert list(df.columns) == ["spread", "estimate", "alpha_hat"] and len(df) == 8
    w = df.pivot(index="spread", columns="estimate", values="alpha_hat")
    assert (w[pooling.ESTIMATES[0]] > 1.95).all()
    assert w.loc[0.5, pooling.ESTIMATES[1]] < 1.5 < w.loc[0.0, pooling.ESTIMATES[1]]
    assert (w[pooling.ESTIMATES[3]] > 1.9).all()


def test_pooling_stream_of_one_spread_ignores_the_others():
    """The estimates at spread 0.5 do not depend on which other spreads are in the sweep (issue 7)."""
    a = pooling.pooling_sweep([0.5], 40, 200, seed=1)
    b = pooling.pooling_sweep([0.0, 0.2, 0.5], 40, 200, seed=1)
    np.testing.assert_array_equal(a.alpha_hat.to_numpy(), b[b.spread == 0.5].alpha_hat.to_numpy())


def test_pooling_numbers_read_the_sweep():
    """The quoted numbers are the sweep's values at the spreads nearest 0.2 and 0.5, and 'less' is chosen by the data."""
    df = pooling.pooling_sweep([0.0, 0.2, 0.5], 40, 200, seed=2)
    nums = pooling.pooling_numbers(df)
    reg = df[(df.spread == 0.5) & (df.estimate == pooling.ESTIMATES[1])].alpha_hat.iloc[0]
    log = df[(df.spread == 0.5) & (df.estimate == pooling.ESTIMATES[2])].alpha_hat.iloc[0]
    assert nums["sb"] == "0.50" and nums["b"] == f"{reg:.2f}".replace("-", "\u2212")
    assert nums["log_less"] == ("less" if abs(2 - log) < abs(2 - reg) else "no less")
    per_min = df[df.estimate == pooling.ESTIMATES[0]].alpha_hat.min()
    assert nums["per_text"] == ("is 2.00 at every spread" if per_min >= 1.995 else f"is at least {per_min:.2f}")
