"""Tests of sgnlib.studies.estimators: the accuracy study of the α estimators (chapter 02)."""

from __future__ import annotations

import numpy as np
import pytest

from sgnlib.studies import estimators as es


@pytest.fixture()
def no_cache(tmp_path, monkeypatch):
    """Every UnitCache of these tests writes under a fresh temporary folder."""
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_summary_is_tidy_with_bias_and_rmse(no_cache):
    """One row per (method, α, n) with bias = mean − α and rmse² = bias² + sd² (the decomposition of the error)."""
    out = es.estimator_study(["mcculloch", "ecf"], [1.5, 2.0], [200], n_rep=20, seed=1)
    assert len(out) == 4 and set(out.method) == {"mcculloch", "ecf"}
    assert {"method", "alpha", "n", "n_rep", "bias", "rmse", "sd", "mean", "frac_clipped", "share_below",
            "time_s"} <= set(out.columns)
    np.testing.assert_allclose(out.bias, out["mean"] - out.alpha)
    np.testing.assert_allclose(out.rmse**2, out.bias**2 + out.sd**2)
    with pytest.raises(ValueError, match="methods"):
        es.estimator_study(["nope"], [1.5], [200], n_rep=5)
    with pytest.raises(ValueError, match="n_rep"):
        es.estimator_study(["ecf"], [1.5], [200], n_rep=2.5)


def test_stream_of_one_cell_ignores_the_rest_of_the_grid(no_cache):
    """The estimates of (α = 1.5, n = 200) do not depend on which other α, n or methods are in the sweep (issue 7)."""
    alone = es.accuracy_estimates(["ecf"], [1.5], [200], 10, seed=3, cache=False)
    grid = es.accuracy_estimates(["mcculloch", "ecf"], [2.0, 1.5], [100, 200], 10, seed=3, cache=False)
    cell = grid[(grid.method == "ecf") & (grid.alpha == 1.5) & (grid.n == 200)]
    np.testing.assert_array_equal(cell.alpha_hat.to_numpy(), alone.alpha_hat.to_numpy())
    other = es.accuracy_estimates(["ecf"], [1.5], [200], 10, seed=4, cache=False)
    assert not np.array_equal(other.alpha_hat.to_numpy(), alone.alpha_hat.to_numpy())


def test_cache_serves_the_same_estimates(no_cache):
    """A second call reads the cached units (one file per method and cell) and returns identical estimates."""
    a = es.accuracy_estimates(["mcculloch", "log"], [1.5], [200], 10, seed=0)
    files = list((no_cache / es.STUDY).glob("*.npz"))
    assert len(files) == 2
    b = es.accuracy_estimates(["mcculloch", "log"], [1.5], [200], 10, seed=0)
    np.testing.assert_array_equal(a.alpha_hat.to_numpy(), b.alpha_hat.to_numpy())


def test_estimate_cdf_and_slopes(no_cache):
    """The empirical distribution of α̂ rises from 1/n_rep to 1; the RMSE of ECF falls with n (negative slope)."""
    est = es.accuracy_estimates(["ecf"], [1.5], [100, 1600], 40, seed=2, cache=False)
    cdf = es.estimate_cdf(est, 1.5, 1600)
    assert cdf.share.iloc[0] == pytest.approx(1 / 40) and cdf.share.iloc[-1] == 1.0
    assert np.all(np.diff(cdf.alpha_hat) >= 0)
    slopes = es.rmse_slopes(es.accuracy_summary(est))
    assert slopes.slope.iloc[0] < -0.2
    with pytest.raises(ValueError, match="no estimates"):
        es.estimate_cdf(est, 1.7, 1600)


@pytest.mark.parametrize("rmse, word", [(0.02, "holds"), (0.07, "marginal"), (0.2, "fails")])
def test_separates_each_word_reachable(rmse, word):
    """Separating α = 1.8 from 2 (half gap 0.1): ±1.96 RMSE below 0.1 holds, below 0.2 is marginal, else fails."""
    v = es.separates(rmse, rmse / 2, 1.8)
    assert v.word == word and (not v.misses) == (word == "holds")


def test_quoted_numbers_read_the_summary(no_cache):
    """The chapter's quoted numbers are the summary's values at n_at (formatted), and a study without one of the quoted methods is a named error."""
    est = es.accuracy_estimates(["mcculloch", "ecf", "log", "ml"], [1.8, 2.0], [200], 8, seed=5, cache=False)
    acc = es.accuracy_summary(est)
    nums, verdict = es.accuracy_numbers(acc, 200, 1.8)
    at = acc.set_index(["method", "alpha"]).rmse
    assert nums["ecf_rmse_max"] == f"{at['ecf'].max():.2f}" and nums["mcc_rmse_a18"] == f"{at['mcculloch', 1.8]:.2f}"
    assert verdict.word in ("holds", "marginal", "fails") and "1.80" in verdict.criterion
    g = es.gaussian_numbers(acc, 200)
    b = acc.set_index(["method", "alpha"]).bias
    assert g["ecf_bias"] == f"{abs(b['ecf', 2.0]):.3f}"
    assert g["log_share_nat"].endswith(" %")
    with pytest.raises(ValueError, match="study_methods must include"):
        es.accuracy_numbers(acc[acc.method != "ml"], 200, 1.8)
    with pytest.raises(ValueError, match="no estimates at n=300"):
        es.gaussian_numbers(acc, 300)
