"""Tests of sgnlib.studies.noise_models: the experiments of chapter 01 (small and fast)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from sgnlib.studies import noise_models as nm


def _G(D=60, P=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(D, P, generator=g, dtype=torch.float64) * torch.logspace(-3, 0, P, dtype=torch.float64)


def test_sas_draws_stream_of_one_alpha_ignores_the_others():
    """The stream of α = 1.5 does not depend on which other α are in the sweep (issue 7)."""
    a = nm.sas_draws([1.5], 100, seed=3)[1.5]
    b = nm.sas_draws([2.0, 1.5, 1.0], 100, seed=3)[1.5]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, nm.sas_draws([1.5], 100, seed=4)[1.5])


def test_sas_cf_check_matches_characteristic_function():
    """E cos(tX) of SαS(α, 1) draws is exp(−|t|^α) (eq. sas) within 4 standard errors; α = 2 has variance 2."""
    draws = nm.sas_draws([2.0, 1.2], 20_000, seed=0)
    df = nm.sas_cf_check(draws, t=0.7)
    assert list(df.columns) == ["alpha", "t", "ecf", "theory", "variance"]
    assert np.all(np.abs(df.ecf - df.theory) < 4 * 0.5 / np.sqrt(20_000))
    assert df.variance[df.alpha == 2.0].iloc[0] == pytest.approx(2.0, rel=0.05)


def test_sas_law_tables_histogram_is_normalised_over_all_draws():
    """Issue 12 (Fig. 2): the histogram's mass over ±xlim is the share of draws inside, not 1 — for α = 1 about 8 % lies outside ±8."""
    draws = nm.sas_draws([1.0, 2.0], 50_000, seed=1)
    hist, dens, surv = nm.sas_law_tables(draws, xlim=8.0, bins=80)
    for a, x in draws.items():
        h = hist[hist.alpha == a]
        mass = float((h.density.to_numpy()[:-1] * np.diff(h.x.to_numpy())).sum())
        assert mass == pytest.approx(np.mean(np.abs(x) < 8.0), abs=1e-9)
    assert np.mean(np.abs(draws[1.0]) >= 8.0) > 0.06
    s = surv[surv.alpha == 1.0]
    assert np.all(np.diff(s.survival.to_numpy()) <= 0) and np.all(np.diff(s.x.to_numpy()) >= 0)
    assert surv[surv.alpha == 2.0]["tail"].isna().all() and s["tail"].notna().any()
    assert set(dens.columns) == {"alpha", "x", "theory"}


def test_gclt_sweep_rows_streams_and_limits():
    """Eq. gclt: one row per (a, n); α̂ of sums of finite-variance summands (a = 3) is near 2; each (a, n) cell has its own stream."""
    df = nm.gclt_sweep([1.5, 3.0], [1, 16], 3000, seed=0)
    assert list(df.columns) == ["a", "n", "alpha_hat", "theory"] and len(df) == 4
    assert df.alpha_hat[(df.a == 3.0) & (df.n == 16)].iloc[0] > 1.9
    assert df.alpha_hat[(df.a == 1.5) & (df.n == 16)].iloc[0] == pytest.approx(1.5, abs=0.15)
    alone = nm.gclt_sweep([1.5], [16], 3000, seed=0)
    assert alone.alpha_hat.iloc[0] == pytest.approx(df.alpha_hat[(df.a == 1.5) & (df.n == 16)].iloc[0], rel=1e-12)
    lim = nm.gclt_limit(1.5, 16, 3000, seed=0)
    assert lim["alpha"] == 1.5 and lim["sums"].shape == (3000,) and lim["scale"] > 0


def test_covariance_check_matches_eq2():
    """Eq. 2: measured per-parameter noise variance / λ(w)_ii ≈ 1 with replacement, and ≈ 1 against the (D−B)/(D−1) correction without."""
    df = nm.covariance_check(_G(), batch_size=8, n_batches=4000, seed=0)
    assert len(df) == 6
    assert df.ratio_rep.median() == pytest.approx(1.0, abs=0.08)
    assert df.ratio_wor.median() == pytest.approx(1.0, abs=0.08)
    assert np.all(df.eq2_wor < df.eq2)
    spectrum, corr = nm.covariance_structure(_G(), 8, n_corr=4)
    assert corr.shape == (4, 4) and np.allclose(np.diag(corr), 1.0)
    assert np.all(np.diff(spectrum.eigenvalue) <= 0)


def test_toy_pooling_manufactures_heavy_tails():
    """A scale mixture of Gaussians (eq. scale-mixture): per coordinate α ≈ 2, pooled α well below 2."""
    df = nm.toy_pooling(300, 400, seed=0)
    per, pooled = df.alpha
    assert per > 1.9 and pooled < 1.6


def test_network_pooling_tables():
    """The two measurements on one set of mini-batches: one α per active parameter, three summary rows, decreasing survival curves."""
    per, summary, curves = nm.network_pooling(_G(D=200, P=5), batch_size=10, n_batches=300, seed=0, n_pool=20)
    assert len(per) == 5 and list(summary.measurement) == ["per parameter (median)", "pooled", "pooled standardised"]
    assert summary.alpha.iloc[0] == pytest.approx(np.median(per.alpha))
    for _, c in curves.groupby("measurement"):
        assert np.all(np.diff(c.survival.to_numpy()) < 0)


@pytest.mark.parametrize("alphas, word", [((1.9, 1.2, 1.8), "holds"), ((1.9, 1.2, 1.25), "marginal"),
                                          ((1.3, 1.25, 1.5), "fails")])
def test_pooling_verdict_each_word_reachable(alphas, word):
    """The pooling criterion gives holds / marginal / fails by its stated margins, and lists every miss."""
    summary = pd.DataFrame({"measurement": ["per parameter (median)", "pooled", "pooled standardised"],
                            "alpha": list(alphas)})
    v = nm.pooling_verdict(summary)
    assert v.word == word
    assert (len(v.misses) == 0) == (word == "holds")


def test_example_network_shapes():
    """The example network's per-example gradients are [D, P] with one summary row (a few training steps only)."""
    net = nm.example_network(0, hidden=2, train_steps=3, lr=0.1)
    s = net.summary.iloc[0]
    assert net.G.shape == (s.D, s.P) == (569, 30 * 2 + 2 + 2 + 1)
    assert 0 < s.top10_share <= 1 and len(net.names) == s.P
    with pytest.raises(ValueError, match="hidden"):
        nm.example_network(0, hidden=0)


def test_spectrum_and_correlation_figure():
    """The covariance figure helper draws the positive eigenvalues on a log axis and the correlation block; a non-square matrix is named."""
    import matplotlib

    matplotlib.use("Agg")
    from sgnlib import plotting

    fig, (ax0, ax1) = plotting.spectrum_and_correlation([1.0, 1e-3, 0.0], np.eye(3))
    assert ax0.get_yscale() == "log" and len(ax0.lines[0].get_xdata()) == 2
    assert ax1.images[0].get_array().shape == (3, 3)
    plotting.plt.close(fig)
    with pytest.raises(ValueError, match="square"):
        plotting.spectrum_and_correlation([1.0], np.ones((2, 3)))
