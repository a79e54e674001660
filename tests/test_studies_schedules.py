"""Tests of sgnlib.studies.schedules (chapter 06: Thm 4.1 under the exponential scheduler s_t = t^(γ−1))."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from sgnlib import theory
from sgnlib.studies import schedules

RUN = dict(target_mean=20.0, n_paths=200, dt=0.1, seed=0, cache=False)


def test_theory_table_is_one_at_gamma_one_and_grows_faster_near_alpha_two():
    """Weibull mean of the derived law: E σ(γ = 1) = target; smaller γ lengthens escape, more so for larger α."""
    th = schedules.exponential_schedule_theory([1.2, 1.8], [1.0, 0.5], target_mean=100.0)
    at1 = th[th["gamma"] == 1.0]
    assert at1["theory"].tolist() == pytest.approx([100.0, 100.0])
    r = th[th["gamma"] == 0.5].set_index("alpha")["relative"]
    assert 1.0 < r[1.2] < r[1.8]


def test_slower_cooling_lengthens_escape_as_predicted_on_a_tiny_run():
    """Thm 4.1 derived: the simulated mean at γ = 0.6 exceeds that at γ = 1, each within 4 standard errors of theory."""
    df = schedules.exponential_schedule_escape([1.5], [1.0, 0.6], **RUN)
    m = df.set_index("gamma")
    assert m.loc[0.6, "mean"] > m.loc[1.0, "mean"]
    se = (df["ci_high"] - df["mean"]) / 1.96
    assert ((df["mean"] - df["theory"]).abs() < 4 * se).all()
    assert df["relative"].tolist() == pytest.approx((df["mean"] / 20.0).tolist())
    assert df["eps"].iloc[0] == pytest.approx(0.2504, abs=1e-4)
    assert not df["small_noise"].any()
    small = schedules.exponential_schedule_escape([1.5], [1.0], **{**RUN, "n_paths": 10}, small_noise_eps=0.3)
    assert small["small_noise"].all()


def test_adding_a_gamma_leaves_the_other_points_unchanged():
    """One stream per (α, γ): the γ = 1 row is the same with or without γ = 0.6."""
    one = schedules.exponential_schedule_escape([1.5], [1.0], **{**RUN, "n_paths": 50})
    two = schedules.exponential_schedule_escape([1.5], [0.6, 1.0], **{**RUN, "n_paths": 50})
    pd.testing.assert_frame_equal(one, two[two["gamma"] == 1.0].reset_index(drop=True))


def test_bad_gamma_raises_naming_it():
    """γ outside (0, 1] is a ValueError naming gammas."""
    with pytest.raises(ValueError, match="gammas"):
        schedules.exponential_schedule_theory([1.5], [1.2], target_mean=10.0)


def test_exit_time_law_pit_is_uniform_under_the_derived_weibull_law(tmp_path, monkeypatch):
    """Thm 4.5 derived (γ < 1): the probability integral transform of the exit times under the Weibull law is
    uniform (KS p > 0.001 on a tiny run), uses the same points as the mean study, and the exponential law of γ = 1
    is rejected."""
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    kw = {**RUN, "cache": True, "n_paths": 400, "target_mean": 30.0}
    law = schedules.exponential_schedule_law([1.5], [0.6], **kw)
    means = schedules.exponential_schedule_escape([1.5], [0.6], **kw)
    assert len(law) == 400 and law["exit_time"].mean() == pytest.approx(means["mean"].iloc[0])
    assert ((law["pit"] > 0) & (law["pit"] < 1)).all()
    assert stats.kstest(law["pit"], "uniform").pvalue > 1e-3
    wrong = 1.0 - theory.survival_probability(law["exit_time"].to_numpy(), 1.5, law["eps"].iloc[0], -1.0, 1.0,
                                                gamma=1.0)
    assert stats.kstest(wrong, "uniform").pvalue < 1e-3
