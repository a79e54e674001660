"""Tests of sgnlib.studies.exit_direction (chapter 06: Thm 4.3, Cor 4.4, eqs. 19–20, Cor 4.6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sgnlib import theory
from sgnlib.studies import exit_direction

RUN = dict(alpha2=1.8, eta=0.02, n_paths=300, dt=0.1, seed=0, cache=False)


def test_exit_direction_shares_agree_with_theory_on_a_tiny_run():
    """Eqs. 19–21 derived: P(axis 1) = ½ at Δ = 0 and near 1 at Δ = 0.8; the derived share lies in the
    99.9 % Wilson interval of the simulated share, and the printed eq. 20 is lower at Δ > 0."""
    df = exit_direction.exit_directions([0.0, 0.8], **RUN, level=0.999)
    assert list(df["delta"]) == [0.0, 0.8]
    assert df["p_derived"].iloc[0] == pytest.approx(0.5)
    assert df["p_axis1"].iloc[1] > 0.9
    assert ((df["p_low"] <= df["p_derived"]) & (df["p_derived"] <= df["p_high"])).all()
    assert df["p_printed"].iloc[1] < df["p_derived"].iloc[1]
    assert (df["n_axis1"] == (df["p_axis1"] * df["n_paths"]).round()).all()


def test_adding_a_delta_leaves_the_other_deltas_unchanged():
    """One stream per Δ: the Δ = 0.3 row is the same with or without Δ = 0 in the sweep."""
    one = exit_direction.exit_directions([0.3], **{**RUN, "n_paths": 60})
    two = exit_direction.exit_directions([0.0, 0.3], **{**RUN, "n_paths": 60})
    pd.testing.assert_frame_equal(one, two.iloc[[1]].reset_index(drop=True))


def test_small_noise_flag_and_printed_bound_columns():
    """`small_noise` marks max ε_l ≤ the threshold, ε_l = η^((α_l−1)/α_l); the printed Cor 4.2 is evaluated."""
    df = exit_direction.exit_directions([0.0, 0.8], **{**RUN, "n_paths": 30}, small_noise_eps=0.2)
    eps = theory.noise_epsilon(0.02, np.array([1.8, 1.0]))
    assert df["eps1"].tolist() == pytest.approx([eps[0], eps[1]])
    assert df["small_noise"].tolist() == [True, False]
    assert np.isfinite(df["mean_printed"]).all() and (df["mean_printed"] > 0).all()


def test_exit_time_law_and_survival_use_the_same_points(tmp_path, monkeypatch):
    """Cor 4.6 derived: the exit time at Δ = 0 passes a KS test against e^(−u/E σ) (p > 0.001); the law and the
    survival table read the same simulated points as the direction table (same streams)."""
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    direc = exit_direction.exit_directions([0.0], **{**RUN, "cache": True})
    law = exit_direction.exit_time_law([0.0], **RUN)
    assert law["mean"].iloc[0] == pytest.approx(direc["mean"].iloc[0])
    assert law["ks_pvalue"].iloc[0] > 1e-3
    surv = exit_direction.survival_table([0.0], **{**RUN, "cache": True})
    assert len(surv) == RUN["n_paths"]
    assert (np.diff(surv["survival"]) <= 0).all() and (np.diff(surv["time"]) >= 0).all()
    md = law["mean_derived"].iloc[0]
    assert surv["derived"].to_numpy() == pytest.approx(np.exp(-surv["time"].to_numpy() / md))


def test_bad_arguments_raise_naming_them():
    """Negative Δ, Δ beyond α₂ and a bad η raise a ValueError naming the argument."""
    with pytest.raises(ValueError, match="deltas"):
        exit_direction.exit_directions([-0.1], **RUN)
    with pytest.raises(ValueError, match="alpha2 - delta"):
        exit_direction.exit_directions([1.9], **RUN)
    with pytest.raises(ValueError, match="eta"):
        exit_direction.exit_directions([0.1], **{**RUN, "eta": 0.0})
