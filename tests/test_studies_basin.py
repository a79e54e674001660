"""Tests of sgnlib.studies.basin_escape (chapter 06: Cor 4.2, width versus depth), the ε for a target
mean exit time (sgnlib.theory) and the panel figure helper (sgnlib.plotting.panels_vs_theory)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sgnlib import plotting, theory
from sgnlib.studies import basin_escape

TINY = dict(n_paths=200, dt=0.1, seed=3, cache=False)


def test_adding_an_alpha_leaves_the_other_alphas_exit_times_unchanged():
    """One stream per (α, ε, d): enlarging the α sweep does not move the rows of the other α."""
    one = basin_escape.mean_exit_times([1.5], [0.2], **TINY)
    two = basin_escape.mean_exit_times([1.2, 1.5], [0.2], **TINY)
    pd.testing.assert_frame_equal(one, two[two["alpha"] == 1.5].reset_index(drop=True))
    other_seed = basin_escape.mean_exit_times([1.5], [0.2], **{**TINY, "seed": 4})
    assert other_seed["mean"].iloc[0] != one["mean"].iloc[0]


def test_mean_exit_time_matches_imkeller_pavlyukevich_on_a_tiny_run():
    """Cor 4.2 derived = Imkeller–Pavlyukevich, E σ = α d^α/(2 c_α ε^α): inside 4 standard errors at α = 1.2, ε = 0.1."""
    df = basin_escape.mean_exit_times([1.2], [0.1], [1.0], n_paths=400, dt=0.1, seed=0, cache=False)
    row = df.iloc[0]
    se = (row["ci_high"] - row["mean"]) / 1.96
    assert row["theory"] == pytest.approx(1.2 / (2 * theory.levy_constant(1.2) * 0.1 ** 1.2))
    assert abs(row["mean"] - row["theory"]) < 4 * se
    assert row["ratio"] == pytest.approx(row["mean"] / row["theory"])
    assert row["censored_share"] == 0.0


def test_units_are_cached_and_keyed_by_seed(tmp_path, monkeypatch):
    """A cached unit is read back unchanged; another seed is another unit."""
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    kw = dict(n_paths=50, dt=0.1, seed=1)
    first = basin_escape.mean_exit_times([1.5], [0.3], **kw)
    assert len(list((tmp_path / basin_escape.BOX_STUDY).glob("*.npz"))) == 1
    pd.testing.assert_frame_equal(first, basin_escape.mean_exit_times([1.5], [0.3], **kw))
    basin_escape.mean_exit_times([1.5], [0.3], **{**kw, "seed": 2})
    assert len(list((tmp_path / basin_escape.BOX_STUDY).glob("*.npz"))) == 2


@pytest.mark.parametrize("kw, name", [(dict(alphas=[2.5]), "alphas"), (dict(eps_values=[-0.1]), "eps_values"),
                                      (dict(n_paths=1), "n_paths"), (dict(half_widths=[]), "half_widths"),
                                      (dict(level=1.5), "level")])
def test_bad_arguments_raise_naming_them(kw, name):
    """Every bad argument is a one-line ValueError naming it."""
    args = dict(alphas=[1.5], eps_values=[0.2], half_widths=[1.0], n_paths=10, dt=0.1, seed=0, cache=False)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        basin_escape.mean_exit_times(args.pop("alphas"), args.pop("eps_values"), args.pop("half_widths"), **args)


def test_double_well_heavy_tails_feel_width_gaussian_feels_depth():
    """Width, not depth: for α = 1.5 a wider well lengthens the escape more than a deeper one; the Gaussian
    (α = 2) time grows with the depth and matches the exact diffusion MFPT within 4 standard errors."""
    wells = basin_escape.double_well_escape([0.25, 0.5], [0.5], alpha=1.5, eps=0.3, diffusion=0.2, n_paths=150,
                                            dt=0.04, seed=0, ref_depth=0.25, cache=False)
    assert set(wells["noise"]) == {"stable", "gaussian"} and len(wells) == 6
    el = basin_escape.elasticities(wells, ref_depth=0.25).set_index(["noise", "wrt"])
    assert abs(el.loc[("stable", "depth"), "elasticity"]) < el.loc[("stable", "width"), "elasticity"]
    assert el.loc[("gaussian", "depth"), "low"] > 0
    g = wells[(wells["noise"] == "gaussian") & (wells["depth"] == 0.25)].iloc[0]
    assert abs(g["mean"] - g["theory"]) < 4 * (g["ci_high"] - g["mean"]) / 1.96
    assert wells[wells["noise"] == "stable"]["kramers"].isna().all()


def test_elasticity_is_log_ratio_over_log_factor():
    """Elasticity Δlog E σ / Δlog x between the extreme wells, with the delta-method interval."""
    rows = []
    for h, a, m in ((0.5, 1.0, 10.0), (2.0, 1.0, 40.0), (0.5, 2.0, 80.0)):
        rows.append(dict(depth=h, half_width=a, noise="stable", mean=m, ci_low=0.9 * m, ci_high=1.1 * m,
                         theory=m, kramers=np.nan))
    el = basin_escape.elasticities(pd.DataFrame(rows)).set_index("wrt")
    assert el.loc["depth", "elasticity"] == pytest.approx(1.0)
    assert el.loc["width", "elasticity"] == pytest.approx(3.0)
    half = math.hypot(0.1, 0.1) / math.log(4.0)
    assert el.loc["depth", "high"] - el.loc["depth", "elasticity"] == pytest.approx(half)
    with pytest.raises(ValueError, match="wells"):
        basin_escape.elasticities(pd.DataFrame({"depth": [1.0]}))


def test_eps_for_mean_exit_time_inverts_mean_exit_time():
    """ε with E σ = target: closed form in 1-D at γ = 1, root otherwise (2-D, γ < 1)."""
    e = theory.eps_for_mean_exit_time(100.0, 1.5, -1.0, 1.0)
    assert e == pytest.approx((1.5 / (theory.levy_constant(1.5) * 2 * 100.0)) ** (1 / 1.5))
    assert theory.mean_exit_time(1.5, e, -1.0, 1.0) == pytest.approx(100.0)
    e2 = theory.eps_for_mean_exit_time(50.0, [1.3, 1.7], [-1, -2], [1, 2])
    assert theory.mean_exit_time([1.3, 1.7], e2, [-1, -2], [1, 2]) == pytest.approx(50.0, rel=1e-8)
    e3 = theory.eps_for_mean_exit_time(80.0, 1.8, -1.0, 1.0, gamma=0.6)
    assert theory.mean_exit_time(1.8, e3, -1.0, 1.0, gamma=0.6) == pytest.approx(80.0, rel=1e-8)
    with pytest.raises(ValueError, match="mean"):
        theory.eps_for_mean_exit_time(-1.0, 1.5, -1.0, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        theory.eps_for_mean_exit_time(10.0, 2.0, -1.0, 1.0)


def test_panels_vs_theory_draws_one_series_per_group_and_checks_panels():
    """One panel per dict, one errorbar series per value of `by`, lines through named columns (NaN skipped),
    grey theory curves for groups without simulation."""
    df = pd.DataFrame(dict(x=[1, 2, 1, 2], y=[1.0, 2.0, 3.0, 4.0], lo=[0.5, 1.5, 2.5, 3.5], hi=[1.5, 2.5, 3.5, 4.5],
                           g=["a", "a", "b", "b"], t=[1.0, 2.0, np.nan, np.nan]))
    th = pd.DataFrame(dict(x=[1, 2, 1, 2], theory=[1, 2, 5, 6], g=["a", "a", "c", "c"]))
    fig, axs = plotting.panels_vs_theory([
        dict(data=df, x="x", y="y", lo="lo", hi="hi", by="g", lines={"t": ("--", "line")}, theory=th),
        dict(data=df, x="x", y="y", step=True, logy=True)])
    assert len(axs) == 2
    assert len(axs[0].containers) == 2
    labels = axs[0].get_legend_handles_labels()[1]
    assert labels.count("line") == 1 and "c (theory)" in labels
    assert axs[1].get_yscale() == "log"
    plotting.plt.close(fig)
    with pytest.raises(ValueError, match="panels"):
        plotting.panels_vs_theory([dict(x="x")])


def test_eps_exponents_fit_the_log_log_slope_with_an_interval():
    """Cor 4.2: E σ ∝ ε^(−α); on exact power laws the fitted slope is −α (inside its interval), and with two
    values of ε the slope has no interval (NaN)."""
    eps = np.array([0.05, 0.1, 0.2])
    noise = np.array([1.0, 1.02, 0.99])
    tab = pd.DataFrame(dict(alpha=1.5, eps=eps, half_width=1.0, mean=3.0 * eps ** -1.5 * noise))
    row = basin_escape.eps_exponents(tab).iloc[0]
    assert row["slope"] == pytest.approx(-1.5, abs=0.05) and row["target_inside"] and row["points"] == 3
    two = basin_escape.eps_exponents(tab.iloc[:2]).iloc[0]
    assert math.isnan(two["low"]) and not two["target_inside"]
    off = basin_escape.eps_exponents(tab.assign(mean=3.0 * eps ** -2.5 * noise)).iloc[0]
    assert not off["target_inside"]
