"""Tests of sgnlib.studies.jump_exits (eq. 13 per large jump, eqs. 12/15 under a schedule) and of the
discrepancy records of sgnlib.theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sgnlib import theory
from sgnlib.studies import jump_exits

A, RHO = 1.5, 0.5


def test_exit_per_jump_matches_eq13_and_not_the_printed_left_side():
    """Eq. 13: the share of large jumps that leave (−d, d) is m Φ s^(α−1)/β (jump scaled by s^((α−1)/α));
    at s = 0.5 the printed left side (jump scaled by s) is half of it and lies outside the band."""
    kw = dict(alpha=A, eps=0.02, rho=RHO, half_width=1.0, dt=0.1, horizon=300.0, n_paths=300, seed=3, cache=False)
    df = jump_exits.exit_per_jump([1.0, 0.5], **kw)
    assert list(df["s"]) == [1.0, 0.5]
    assert (df["exits_between"] == 0).all() and (df["jumps"] > 1000).all()
    z = (df["share"] - df["p_eq13"]) / np.sqrt(df["p_eq13"] * (1 - df["p_eq13"]) / df["jumps"])
    assert (np.abs(z) < 3.5).all()
    half = df.iloc[1]
    assert half["p_lhs_printed"] == pytest.approx(0.5 * half["p_eq13"])
    assert half["ci_high"] < half["p_eq13"] or half["ci_low"] > half["p_lhs_printed"]
    again = jump_exits.exit_per_jump([0.5], **kw)
    assert again.iloc[0].equals(df.iloc[1])
    with pytest.raises(ValueError, match="s_values"):
        jump_exits.exit_per_jump([1.5], **kw)


def test_euler_exit_per_jump_tends_to_eq13():
    """Eq. 13 is the dt → 0 limit of the Euler scheme's conditional exceedance probability."""
    p = theory.first_jump_exit_probability(A, 0.02, RHO, -1.0, 1.0)
    coarse, fine = (jump_exits.euler_exit_per_jump(A, 0.02, RHO, 1.0, h) for h in (1.0, 1e-3))
    assert abs(fine / p - 1) < abs(coarse / p - 1) and abs(fine / p - 1) < 0.01


def test_jump_rate_under_schedule_has_exponent_rho_alpha_minus_one():
    """Eqs. 12/15: under s_t = t^(γ−1) the large-jump rate scales as s_t^(ρ(α−1)), not s_t^(ρα) as eq. 15 prints."""
    tab = jump_exits.jumps_under_schedule(alpha=A, eps=0.05, rho=RHO, gamma=0.5, dt=0.1, horizon=400.0, n_paths=300,
                                          n_bins=6, seed=1, cache=False)
    assert len(tab) == 6 and (np.diff(tab["s_mid"]) < 0).all()
    v, printed = jump_exits.schedule_exponent_verdict(tab, A, RHO)
    assert printed == pytest.approx(0.75)
    assert v.word in ("holds", "marginal")
    assert not float(v.numbers["lo"]) <= printed <= float(v.numbers["hi"])
    fake = tab.assign(rate=tab["rate_printed"])
    assert jump_exits.schedule_exponent_verdict(fake, A, RHO)[0].word == "fails"
    with pytest.raises(ValueError, match="gamma"):
        jump_exits.jumps_under_schedule(alpha=A, eps=0.05, rho=RHO, gamma=1.0, dt=0.1, horizon=10.0, n_paths=2,
                                        n_bins=2, seed=1, cache=False)


def test_discrepancies_are_one_of_five_kinds_and_tabulate():
    """Every recorded discrepancy has one of the five kinds, each kind occurs, and a wrong kind is refused."""
    kinds = {d.kind for d in theory.DISCREPANCIES}
    assert kinds == set(theory.DISCREPANCY_KINDS)
    tab = theory.discrepancy_table()
    assert isinstance(tab, pd.DataFrame) and len(tab) == len(theory.DISCREPANCIES)
    assert list(tab.columns) == ["paper", "kind", "printed", "used here", "checked in"]
    with pytest.raises(ValueError, match="kind"):
        theory.Discrepancy("eq. 1", "error", "x", "y", "z")


def test_eq13_printed_left_side_and_eq15_exponents():
    """Eq. 13's printed left side differs from its right side by the factor s_t; eq. 15's exponent ρα vs ρ(α−1)."""
    p = theory.first_jump_exit_probability(A, 0.02, RHO, -1.0, 1.0, s=0.3)
    assert theory.first_jump_exit_probability_lhs_as_printed(A, 0.02, RHO, -1.0, 1.0, s=0.3) == pytest.approx(0.3 * p)
    assert theory.eq15_schedule_exponent(1.8, 0.5) == pytest.approx((0.4, 0.9))
    s = 0.2
    ratio = theory.mean_interjump_time(A, 0.05, RHO, s=s) / theory.mean_interjump_time(A, 0.05, RHO)
    assert ratio == pytest.approx(s ** -theory.eq15_schedule_exponent(A, RHO)[0])


def test_return_times_follow_eq14_relaxation_time():
    """Eq. 14 by simulation: from d+ the noisy process reaches the ε̄^ζ-neighbourhood at about T_R
    (the Euler scheme's noise-free time), and the same settings give the same paths."""
    from sgnlib.studies import relaxation

    kw = dict(alpha=A, rho=RHO, zeta=0.5, dt=0.01, n_paths=200, seed=2, cache=False)
    df = relaxation.return_times([0.1, 0.001], **kw)
    assert df["T_R"].tolist() == pytest.approx([0.5 * np.log(10), 1.5 * np.log(10)])
    assert (df["returned"] > 0.95).all()
    assert (np.abs(df["mean"] - df["T_R_euler"]) < 4 * df["se"] + 0.02).all()
    assert (df["jump_before"] < 0.2).all() and df["jump_before_pred"].is_monotonic_decreasing
    assert relaxation.return_times([0.001], **kw).iloc[0].equals(df.iloc[1])
    with pytest.raises(ValueError, match="dt"):
        relaxation.return_times([0.1], **{**kw, "dt": 1.0})


def test_small_jump_products_follow_the_product_of_means_not_printed_lemma33():
    """Lemma 3.3 (eq. 10): with mean-zero symmetric small jumps, E[Z¹Z²] = w₁w₂e^(−(h₁₁+h₂₂)t); the printed A terms
    are positive and far above the simulated mean."""
    from sgnlib.studies import relaxation

    kw = dict(alpha=A, eps_bar=0.05, rho=RHO, curvatures=[1.0, 0.5], start=[1.0, 0.8], horizon=2.0, dt=0.01,
              n_paths=400, seed=4, n_times=4, cache=False)
    df = relaxation.small_jump_products(**kw)
    assert len(df) == 4 and df["time"].iloc[-1] == pytest.approx(2.0)
    assert (np.abs(df["mean"] - df["derived_euler"]) < 4 * df["se"] + 1e-3).all()
    assert (df["printed"] > df["mean"] + 10 * df["se"]).all()
    assert theory.lemma33_as_printed(0.0, 1.0, 0.8, 1.0, 0.5, 0.05, 0.05, A, A, RHO) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="curvatures"):
        relaxation.small_jump_products(**{**kw, "curvatures": [1.0]})
