"""Tests of sgnlib.studies.eta_expansion: the η-dependence of the mean escape time (eqs. 16–17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sgnlib.studies import eta_expansion


def test_mean_exit_time_scales_as_eta_to_minus_alpha_minus_one():
    """Eq. 16 / derived Cor 4.2 in η: E σ ∝ η^(−(α−1)) with equal α on both axes; eq. 17's leading exponent 0 is
    outside the fitted interval; one stream per η."""
    kw = dict(alpha=1.5, n_paths=300, dt=0.1, seed=2, horizon_means=5.0, cache=False)
    df = eta_expansion.mean_exit_vs_eta([1e-3, 1e-4, 1e-5], **kw)
    assert (np.abs(df["mean"] / df["derived"] - 1) < 0.2).all()
    v = eta_expansion.eta_exponent_verdict(df, 1.5)
    assert v.word in ("holds", "marginal")
    assert float(v.numbers["hi"].replace("\u2212", "-")) < eta_expansion.printed_eta_exponent(1.5)
    assert eta_expansion.mean_exit_vs_eta([1e-4], **kw).iloc[0].equals(df.iloc[1])
    flat = pd.DataFrame({"eta": np.geomspace(1e-5, 1e-3, 5), "mean": 100 * (1 + 0.01 * np.array([1, -1, 0, 1, -1]))})
    assert eta_expansion.eta_exponent_verdict(flat, 1.5).word == "fails"
    with pytest.raises(ValueError, match="alpha"):
        eta_expansion.mean_exit_vs_eta([1e-3], **{**kw, "alpha": 2.0})
