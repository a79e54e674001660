"""Tests of the chapter-05 studies: sgnlib.studies.levy_jumps and sgnlib.studies.relaxation."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats as st  # noqa: E402

from sgnlib import plotting, stable, theory  # noqa: E402
from sgnlib.studies import levy_jumps, relaxation  # noqa: E402

A, EPS, RHO = 1.5, 0.05, 0.5


# --------------------------------------------------------------------------- levy_jumps


def test_sgd_step_noise_is_standard_sas_and_seeded_by_its_settings():
    """Below eq. 3: one Euler step with dt = η, ε = η^((α−1)/α), divided by ησ, is SαS(α) (KS vs the exact
    cdf); the sample depends on the seed and the settings only."""
    a = levy_jumps.sgd_step_noise(A, 0.01, 2.0, 3000, seed=4)
    b = levy_jumps.sgd_step_noise(A, 0.01, 2.0, 3000, seed=4)
    c = levy_jumps.sgd_step_noise(A, 0.01, 2.0, 3000, seed=5)
    assert list(a.columns) == ["x"] and len(a) == 3000
    assert a.equals(b) and not a.equals(c)
    assert st.kstest(a["x"], lambda x: stable.cdf(x, A)).pvalue > 1e-3
    q = levy_jumps.step_quantiles(a["x"], A, probs=[0.75, 0.95])
    assert q["sas"].tolist() == pytest.approx(stable.ppf_standard([0.75, 0.95], A).tolist())
    with pytest.raises(ValueError, match="probs"):
        levy_jumps.step_quantiles(a["x"], A, probs=[0.5, 1.0])


def test_sample_path_marks_exactly_the_large_jumps():
    """Sec. 3.2: a step is marked iff its increment of L exceeds O = ε^(−ρ); a marked step moves W by at least
    about ε·O = ε^(1−ρ) minus the drift, unmarked steps by far less on average."""
    p = levy_jumps.sample_path(A, EPS, RHO, 0.05, 300.0, seed=1)
    assert list(p.columns) == ["time", "w", "large_jump"]
    assert p["time"].iloc[0] == 0 and p["time"].iloc[-1] == pytest.approx(300.0)
    dw = np.abs(np.diff(p["w"].to_numpy()))
    marked = p["large_jump"].to_numpy()[1:]
    assert 0 < marked.sum() < 60
    assert dw[marked].min() > 0.5 * EPS ** (1 - RHO)
    assert np.median(dw[~marked]) < 0.1 * EPS ** (1 - RHO)


def test_euler_jump_intensity_tends_to_eq12_as_dt_shrinks():
    """The per-step rate P(|X| > O dt^(−1/α))/dt tends to eq. 12 with c_α (tail P(|X| > x) ~ (2c_α/α) x^(−α))
    as dt → 0, from above at these dt."""
    b12 = float(theory.jump_intensity(A, EPS, RHO, c=theory.levy_constant(A)))
    r = np.asarray(levy_jumps.euler_jump_intensity(A, EPS, RHO, np.array([0.2, 0.05, 1e-3]))) / b12
    assert r[0] > r[1] > r[2] > 1.0
    assert r[2] == pytest.approx(1.0, abs=2e-3)


def test_jump_intensity_matches_the_euler_rate_and_rows_are_independent():
    """Eq. 12 for the Euler scheme: measured rate within 4 SE of the per-step rate, Poisson dispersion ≈ 1; each
    dt has its own stream, so the dt = 0.1 row is the same whether or not dt = 0.2 is in the sweep."""
    kw = dict(alpha=A, eps=EPS, rho=RHO, horizon=200.0, n_paths=200, seed=3, cache=False)
    one = levy_jumps.jump_intensity([0.1], **kw)
    two = levy_jumps.jump_intensity([0.2, 0.1], **kw)
    pd.testing.assert_frame_equal(one, two.iloc[[1]].reset_index(drop=True))
    for row in two.itertuples():
        assert abs(row.beta_hat - row.beta_euler) < 4 * row.se
        assert abs(row.dispersion - 1) < 0.3
    assert two["beta_paper"].iloc[0] == pytest.approx(two["beta_eq12"].iloc[0] / float(theory.levy_constant(A)))


def test_inter_jump_gaps_are_exponential_with_the_euler_rate():
    """Eq. 15: gaps between large jumps are Exp(β) — mean within 4 SE of 1/β, KS not rejected at 1e-3."""
    gaps = levy_jumps.inter_jump_gaps(0.05, alpha=A, eps=EPS, rho=RHO, horizon=400.0, n_paths=200, seed=2,
                                      cache=False)["gap"].to_numpy()
    beta = float(levy_jumps.euler_jump_intensity(A, EPS, RHO, 0.05))
    assert gaps.size > 500
    assert abs(gaps.mean() - 1 / beta) < 4 / beta / math.sqrt(gaps.size)
    assert st.kstest(gaps, "expon", args=(0, 1 / beta)).pvalue > 1e-3


# --------------------------------------------------------------------------- relaxation


H = np.array([[2.0, 0.5], [0.5, 1.0]])
W_STAR = [0.3, -0.2]
STARTS = [[1.0, -0.5], [-1.0, 1.0], [0.3, 1.5]]


def test_lemma31_paths_respect_the_bound_with_rate_minus_two_mu():
    """Lemma 3.1 (eq. 6): ‖Y_t − W*‖² ≤ (2Ũ/μ)e^(−2μt) at every saved point; the late log-slope is −2μ within
    1 %; start labels are plain numbers (no numpy repr in legends)."""
    paths = relaxation.lemma31_paths(H, W_STAR, STARTS, dt=1e-3, horizon=4.0)
    assert sorted(paths["start"].unique()) == sorted(["(1, -0.5)", "(-1, 1)", "(0.3, 1.5)"])
    v = relaxation.lemma31_bound_verdict(paths)
    assert v.word == "holds" and v.numbers["violations"] == "0"
    mu = np.linalg.eigvalsh(H).min()
    slopes = relaxation.late_slopes(paths, after=2.5)
    assert np.allclose(slopes["slope"], -2 * mu, rtol=1e-2)


def test_lemma31_bound_verdict_fails_on_a_violation():
    """The eq. 6 check can fail: one point above its bound is a miss and the verdict is 'fails'."""
    paths = relaxation.lemma31_paths(H, W_STAR, STARTS[:1], dt=1e-2, horizon=1.0, record_every=10)
    paths.loc[3, "dist2"] = paths.loc[3, "bound"] * 1.01
    v = relaxation.lemma31_bound_verdict(paths)
    assert v.word == "fails" and len(v.misses) == 1 and "(1, -0.5)" in v.misses[0]


def test_prop32_deviation_falls_with_eps_and_rows_are_independent():
    """Prop 3.2: the probability that Z − Y leaves the band c ε̄^θ before 1/β falls as ε̄ shrinks; each ε̄ has its
    own stream (adding a value leaves the others' rows unchanged); Wilson intervals contain p."""
    kw = dict(alpha=A, rho=RHO, theta=0.1, c=0.2, dt=0.05, n_paths=300, seed=0, cache=False)
    small = relaxation.prop32_deviation([0.05, 0.015], **kw)
    big = relaxation.prop32_deviation([0.05, 0.03, 0.015], **kw)
    cols = ["eps_bar", "exits", "p", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(small[cols], big.iloc[[0, 2]][cols].reset_index(drop=True))
    assert big["p"].is_monotonic_decreasing and big["p"].iloc[0] > big["p"].iloc[-1]
    assert ((big["ci_low"] <= big["p"]) & (big["p"] <= big["ci_high"])).all()
    assert big["horizon"].iloc[0] == pytest.approx(1 / float(theory.jump_intensity(A, 0.05, RHO, c=theory.levy_constant(A))))
    assert (big["p"] <= big["scaled_bound"] + 1e-12).all()


def _prop_table(eps, p):
    return pd.DataFrame({"eps_bar": eps, "p": p})


def test_prop32_rate_verdict_holds_marginal_and_fails():
    """The Prop 3.2 rate criterion: slope ≥ θ̄ holds, slope below θ̄ with θ̄ in its interval is marginal, the whole
    interval below θ̄ fails; saturated points (p ≥ 0.5) and p = 0 are not fitted; < 3 points is marginal."""
    eps = np.array([0.1, 0.05, 0.03, 0.02, 0.01, 0.005])
    steep = _prop_table(eps, [0.9, 0.3, 0.1, 0.03, 0.003, 0.0])
    assert relaxation.prop32_rate_verdict(steep, 2.0).word == "holds"
    shallow = _prop_table(eps, 0.4 * (eps / 0.1) ** 1.0 * np.array([1.0, 1.02, 0.98, 1.01, 0.99, 1.0]))
    v = relaxation.prop32_rate_verdict(shallow, 2.0)
    assert v.word == "fails" and v.misses
    noisy = _prop_table(eps, 0.4 * (eps / 0.1) ** 1.8 * np.array([1.0, 2.0, 0.5, 1.5, 0.6, 1.0]))
    assert relaxation.prop32_rate_verdict(noisy, 2.0).word == "marginal"
    few = _prop_table(eps[:3], [0.9, 0.3, 0.0])
    assert relaxation.prop32_rate_verdict(few, 2.0).word == "marginal"


def test_relaxation_and_gap_curves_follow_eq14_and_eq15():
    """Eq. 14 for U = μw²/2 on (−1, 1): T_R = ln(ε̄^(−ζ))/μ; eq. 15: 1/β with c_α; long table, one row per curve."""
    df = relaxation.relaxation_and_gap_curves([0.1, 0.01], [1.2, 1.8], rho=RHO, zeta=0.5, mu=2.0)
    tr = df[df["curve"] == "T_R"]
    assert tr["time"].to_numpy() == pytest.approx(np.log(np.array([0.1, 0.01]) ** -0.5) / 2.0)
    g = df[(df["curve"] == "1/beta") & (df["alpha"] == 1.8)]
    assert g["time"].to_numpy() == pytest.approx(theory.mean_interjump_time(1.8, np.array([0.1, 0.01]), RHO,
                                                                           c=theory.levy_constant(1.8)))
    assert len(df) == 6 and df["label"].nunique() == 3


def test_path_with_marks_draws_the_marked_points():
    """plotting.path_with_marks: one line and one dot per marked point; shapes must agree."""
    ax = plotting.path_with_marks([0, 1, 2, 3], [0.0, 1.0, 0.5, 0.2], [False, True, False, True])
    line, dots = ax.get_lines()
    assert len(line.get_xdata()) == 4 and list(dots.get_xdata()) == [1.0, 3.0]
    with pytest.raises(ValueError, match="one shape"):
        plotting.path_with_marks([0, 1], [0.0], [True, False])
    plotting.plt.close("all")


def test_cached_units_give_the_same_tables(tmp_path, monkeypatch):
    """UnitCache: a study read back from its cached units equals the computed one (jump statistics and Prop 3.2)."""
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    jkw = dict(alpha=A, eps=EPS, rho=RHO, horizon=50.0, n_paths=50, seed=1)
    first = levy_jumps.jump_intensity([0.1], **jkw)
    assert any(tmp_path.rglob("*.npz"))
    pd.testing.assert_frame_equal(first, levy_jumps.jump_intensity([0.1], **jkw))
    pd.testing.assert_frame_equal(first, levy_jumps.jump_intensity([0.1], cache=False, **jkw))
    pkw = dict(alpha=A, rho=RHO, theta=0.1, c=0.2, dt=0.05, n_paths=50, seed=0)
    p1 = relaxation.prop32_deviation([0.03], **pkw)
    pd.testing.assert_frame_equal(p1, relaxation.prop32_deviation([0.03], **pkw))
    pd.testing.assert_frame_equal(p1, relaxation.prop32_deviation([0.03], cache=False, **pkw))
